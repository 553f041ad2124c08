using System.Net;
using Routing.Cni.Protocol;
using Routing.Cni.Results;
using Routing.Cni.Wiring;

namespace Routing.Cni.Tests.Commands;

/// <summary>An in-memory kernel: links per namespace, addresses and routes, and a step that can be made to fail.</summary>
internal sealed class RecordingWiring : IPodWiring
{
    private const string Host = "(host)";

    public HashSet<(string Netns, string Link)> Links { get; } = [];

    public List<(string Netns, string Device, IpCidr Address)> AddressList { get; } = [];

    public List<(string Netns, KernelRoute Route)> RouteList { get; } = [];

    public Dictionary<string, string> Sysctls { get; } = new(StringComparer.Ordinal);

    public List<string> Steps { get; } = [];

    /// <summary>The step ("AddRoute", …) that throws the next time it runs.</summary>
    public string? FailAt { get; set; }

    public int Mtu { get; private set; }

    public KernelLink? Link(string? netns, string name) =>
        Links.Contains((netns ?? Host, name)) ? new KernelLink(name, null, Mtu, IsUp: true) : null;

    public void CreateVeth(string hostName, string hostMac, string netns, string podName, string podMac, int mtu)
    {
        Step("CreateVeth");
        Mtu = mtu > 0 ? mtu : 1500;
        Links.Add((Host, hostName));
        Links.Add((netns, podName));
    }

    public void SetUp(string? netns, string name) => Step("SetUp");

    public void AddAddress(string netns, string device, IpCidr address)
    {
        Step("AddAddress");
        AddressList.Add((netns, device, address));
    }

    public void AddRoute(string? netns, IpCidr destination, string device, IPAddress? via, bool linkScope, int? protocol)
    {
        Step("AddRoute");
        RouteList.Add((netns ?? Host, new KernelRoute(destination, via, device, linkScope && destination.IsIPv4 ? KernelRoute.LinkScope : (byte)0, protocol ?? 3)));
    }

    public void SetSysctl(string key, string value)
    {
        Step("SetSysctl");
        Sysctls[key] = value;
    }

    public bool DeleteLink(string? netns, string name)
    {
        Step("DeleteLink");
        var ns = netns ?? Host;
        if (!Links.Remove((ns, name)))
        {
            return false;
        }

        // A veth pair dies whole, with the routes through either end.
        Links.Clear();
        AddressList.Clear();
        RouteList.Clear();
        return true;
    }

    public string? ReadSysctl(string key) => Sysctls.GetValueOrDefault(key);

    public IReadOnlyList<IpCidr> Addresses(string netns, string device) =>
        [.. AddressList.Where(a => a.Netns == netns && a.Device == device).Select(a => a.Address)];

    public IReadOnlyList<KernelRoute> Routes(string? netns, bool ipv6) =>
        [.. RouteList.Where(r => r.Netns == (netns ?? Host) && r.Route.Destination.IsIPv4 != ipv6).Select(r => r.Route)];

    private void Step(string name)
    {
        Steps.Add(name);
        if (FailAt == name)
        {
            FailAt = null;
            throw new CniException(CniErrorCode.WiringFailed, $"{name} failed (injected)");
        }
    }
}
