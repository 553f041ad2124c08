using Routing.Cni.Protocol;
using Routing.Cni.Results;
using Routing.Cni.Wiring;

namespace Routing.Cni.Commands;

/// <summary>
/// CHECK: the attachment still looks as ADD left it — the pod's interface with its MTU, addresses
/// and routes (the link-scope route to the gateway and the default via it); on the node the host
/// veth with its MTU and the sysctls ADD set, and the agent's route to each address through it;
/// and the agent still holds the same addresses for the handle. The first difference is error
/// 102 naming it.
/// </summary>
internal static class CheckCommand
{
    public static async Task RunAsync(CommandContext context)
    {
        var env = context.Environment;
        var netns = env.NetNs!;
        var prev = context.Config.PrevResult
            ?? throw new CniException(CniErrorCode.InvalidNetworkConfig, "network configuration field prevResult is missing", "CHECK verifies the result of ADD, passed as prevResult");
        if (!File.Exists(netns))
        {
            throw new CniException(CniErrorCode.ContainerUnknown, $"CNI_NETNS {netns} does not exist");
        }

        var index = prev.Interfaces.ToList().FindIndex(i => i.Name == env.IfName && (i.Sandbox is null || i.Sandbox == netns));
        if (index < 0)
        {
            throw Failed($"prevResult has no interface {env.IfName} in {netns}");
        }

        var expected = prev.Ips.Where(ip => ip.Interface == index).Select(ip => ip.Address).ToList();
        var wiring = context.Wiring;
        var mtu = prev.Interfaces[index].Mtu ?? (context.Config.Mtu > 0 ? context.Config.Mtu : null);
        var pod = wiring.Link(netns, env.IfName) ?? throw Failed($"interface {env.IfName} is missing from {netns}");
        CheckMtu(pod, mtu, $"interface {env.IfName} in {netns}");

        var actual = wiring.Addresses(netns, env.IfName);
        foreach (var address in expected.Where(a => !actual.Contains(a)))
        {
            throw Failed($"address {address} is missing from {env.IfName} in {netns}");
        }

        CheckPodRoutes(wiring, netns, env.IfName, expected);

        var hostVeth = context.HostVeth;
        var host = wiring.Link(null, hostVeth) ?? throw Failed($"the host interface {hostVeth} is missing");
        CheckMtu(host, mtu, $"the host interface {hostVeth}");
        CheckHostSysctls(wiring, hostVeth, expected);
        CheckHostRoutes(wiring, hostVeth, expected);

        var held = (await context.Agent.GetAsync(context.HandleId, CancellationToken.None).ConfigureAwait(false)).Addresses
            .Select(a => IpCidr.Parse(a.Address).Address).ToHashSet();
        foreach (var address in expected.Where(a => !held.Contains(a.Address)))
        {
            throw Failed($"the agent holds no address {address.Address} for handle {context.HandleId}");
        }
    }

    private static void CheckMtu(KernelLink link, int? expected, string what)
    {
        if (expected is { } mtu && link.Mtu != mtu)
        {
            throw Failed($"{what} has MTU {link.Mtu}, not {mtu}");
        }
    }

    private static void CheckPodRoutes(IPodWiring wiring, string netns, string ifName, IReadOnlyList<IpCidr> expected)
    {
        if (expected.Any(a => a.IsIPv4))
        {
            var routes = wiring.Routes(netns, ipv6: false);
            if (!routes.Any(r => r.Destination == IpCidr.Host(PodGateway.IPv4) && r.Gateway is null && r.Device == ifName && r.Scope == KernelRoute.LinkScope))
            {
                throw Failed($"the route to the gateway {PodGateway.IPv4} dev {ifName} scope link is missing from {netns}");
            }

            if (!routes.Any(r => r.Destination.PrefixLength == 0 && Equals(r.Gateway, PodGateway.IPv4) && r.Device == ifName))
            {
                throw Failed($"the default route via {PodGateway.IPv4} dev {ifName} is missing from {netns}");
            }
        }

        if (expected.Any(a => !a.IsIPv4)
            && !wiring.Routes(netns, ipv6: true).Any(r => r.Destination.PrefixLength == 0 && Equals(r.Gateway, PodGateway.IPv6) && r.Device == ifName))
        {
            throw Failed($"the default route via {PodGateway.IPv6} dev {ifName} is missing from {netns}");
        }
    }

    /// <summary>What ADD set on the host veth: the pod's IPv4 gateway is answered by proxy ARP, at once.</summary>
    private static void CheckHostSysctls(IPodWiring wiring, string hostVeth, IReadOnlyList<IpCidr> expected)
    {
        var settings = new List<(string Key, string Value)>();
        if (expected.Any(a => a.IsIPv4))
        {
            settings.Add(($"ipv4/conf/{hostVeth}/proxy_arp", "1"));
            settings.Add(($"ipv4/neigh/{hostVeth}/proxy_delay", "0"));
        }

        if (expected.Any(a => !a.IsIPv4))
        {
            settings.Add(($"ipv6/conf/{hostVeth}/accept_ra", "0"));
        }

        foreach (var (key, value) in settings)
        {
            if (wiring.ReadSysctl(key) is var actual && actual != value)
            {
                throw Failed($"net.{key.Replace('/', '.')} is {actual ?? "missing"}, not {value}");
            }
        }
    }

    private static void CheckHostRoutes(IPodWiring wiring, string hostVeth, IReadOnlyList<IpCidr> expected)
    {
        foreach (var family in expected.GroupBy(a => a.IsIPv4))
        {
            var routes = wiring.Routes(null, ipv6: !family.Key);
            foreach (var address in family)
            {
                var host = IpCidr.Host(address.Address);
                var route = routes.FirstOrDefault(r => r.Destination == host)
                    ?? throw Failed($"the host route to {host} dev {hostVeth} is missing");
                if (route.Device != hostVeth || route.Gateway is not null)
                {
                    throw Failed($"the host route to {host} goes {(route.Gateway is null ? string.Empty : $"via {route.Gateway} ")}dev {route.Device ?? "(none)"}, not dev {hostVeth}");
                }

                if (route.Protocol != PodGateway.RouteProtocol)
                {
                    throw Failed($"the host route to {host} dev {hostVeth} has protocol {route.Protocol}, not the agent's {PodGateway.RouteProtocol}");
                }

                if (address.IsIPv4 && route.Scope != KernelRoute.LinkScope)
                {
                    throw Failed($"the host route to {host} dev {hostVeth} has scope {route.Scope}, not link");
                }
            }
        }
    }

    private static CniException Failed(string message) => new(CniErrorCode.CheckFailed, $"CHECK failed: {message}");
}
