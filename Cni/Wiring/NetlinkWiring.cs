using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Routing.Cni.Protocol;
using Routing.Cni.Results;
using Routing.Dataplane;
using Routing.Dataplane.Addresses;
using Routing.Dataplane.Links;
using Routing.Dataplane.Namespaces;
using Routing.Dataplane.Native;
using Routing.Dataplane.Netlink;
using Routing.Dataplane.Routes;

namespace Routing.Cni.Wiring;

/// <summary>
/// <see cref="IPodWiring"/> over rtnetlink (Dataplane): one socket in the node's namespace and one
/// per pod namespace, opened on first use, and each device's index looked up once. A whole ADD is
/// about ten requests on two sockets, with no process started.
/// </summary>
internal sealed class NetlinkWiring : IPodWiring, IDisposable
{
    private readonly Dictionary<string, (NetworkNamespace Namespace, Rtnetlink Kernel)> pods = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Netns, string Name), int> indexes = [];
    private Rtnetlink? host;

    public KernelLink? Link(string? netns, string name) => Do(netns, () =>
    {
        var link = Kernel(netns).Links.Get(name);
        if (link is null)
        {
            return null;
        }

        indexes[(netns ?? string.Empty, name)] = link.Index;
        return new KernelLink(link.Name, FormatMac(link.Address), link.Mtu, link.IsUp);
    });

    public void CreateVeth(string hostName, string hostMac, string netns, string podName, string podMac, int mtu) => Do<object?>(null, () =>
    {
        var pod = Pod(netns);
        var created = Kernel(null).Links.Create(new VethSpec(hostName, podName)
        {
            Address = PhysicalAddress.Parse(hostMac),
            Mtu = mtu > 0 ? mtu : null,
            PeerNamespace = pod.Namespace,
            PeerAddress = PhysicalAddress.Parse(podMac),
            PeerMtu = mtu > 0 ? mtu : null,
        });
        if (created is not null)
        {
            indexes[(string.Empty, hostName)] = created.Index;
        }

        pod.Kernel.Links.SetUp(IndexOf(netns, podName));
        return null;
    });

    public void SetUp(string? netns, string name) => Do<object?>(netns, () =>
    {
        Kernel(netns).Links.SetUp(IndexOf(netns, name));
        return null;
    });

    public void AddAddress(string netns, string device, IpCidr address) => Do<object?>(netns, () =>
    {
        // The pod's address is its own: no duplicate detection to wait for (as `ip address add … nodad`).
        Kernel(netns).Addresses.Add(new InterfaceAddress(IndexOf(netns, device), address.Address, address.PrefixLength)
        {
            Flags = address.IsIPv4 ? 0 : AddressFlags.NoDad,
        });
        return null;
    });

    public void AddRoute(string? netns, IpCidr destination, string device, IPAddress? via, bool linkScope, int? protocol) => Do<object?>(netns, () =>
    {
        var route = new Route
        {
            Destination = new IPNetwork(destination.Address, destination.PrefixLength),
            Gateway = via,
            InterfaceIndex = IndexOf(netns, device),
            Scope = linkScope ? RouteScope.Link : RouteScope.Universe,
            Protocol = protocol is { } p ? (byte)p : RouteProtocols.Boot,
        };

        // The host's route to the pod may be there already: the agent keeps the same route for
        // every pod it knows of, and may have made it as soon as the veth appeared.
        if (netns is null)
        {
            Kernel(netns).Routes.Replace(route);
        }
        else
        {
            Kernel(netns).Routes.Add(route);
        }

        return null;
    });

    public void SetSysctl(string key, string value)
    {
        try
        {
            File.WriteAllText(Path.Combine("/proc/sys/net", key), value);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CniException(CniErrorCode.WiringFailed, $"cannot set net.{key.Replace('/', '.')} to {value}", e);
        }
    }

    public string? ReadSysctl(string key)
    {
        try
        {
            return File.ReadAllText(Path.Combine("/proc/sys/net", key)).TrimEnd('\n');
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CniException(CniErrorCode.WiringFailed, $"cannot read net.{key.Replace('/', '.')}", e);
        }
    }

    public bool DeleteLink(string? netns, string name)
    {
        if (netns is not null && !File.Exists(netns))
        {
            return false;
        }

        Rtnetlink kernel;
        try
        {
            kernel = Kernel(netns);
        }
        catch (NamespaceException)
        {
            // A path that is no longer a namespace (unmounted, or its holder gone): nothing left to delete.
            return false;
        }

        return Do(netns, () =>
        {
            if (kernel.Links.Get(name) is not { } link)
            {
                return false;
            }

            try
            {
                kernel.Links.Delete(link.Index);
            }
            catch (NetlinkException e) when (e.Errno == Errno.ENODEV)
            {
                return false;
            }

            indexes.Remove((netns ?? string.Empty, name));
            return true;
        });
    }

    public IReadOnlyList<IpCidr> Addresses(string netns, string device) => Do(netns, () =>
    {
        var index = IndexOf(netns, device);
        return (IReadOnlyList<IpCidr>)[.. Kernel(netns).Addresses.List(interfaceIndex: index)
            .Where(a => a.Scope != KernelRoute.LinkScope)
            .Select(a => new IpCidr(a.Address, a.PrefixLength))];
    });

    public IReadOnlyList<KernelRoute> Routes(string? netns, bool ipv6) => Do(netns, () =>
    {
        var kernel = Kernel(netns);
        var names = kernel.Links.List().ToDictionary(l => l.Index, l => l.Name);
        return (IReadOnlyList<KernelRoute>)[.. kernel.Routes.List(ipv6 ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork, RouteTables.Main)
            .Select(r => new KernelRoute(
                new IpCidr(r.Destination.BaseAddress, r.Destination.PrefixLength),
                r.Gateway,
                names.GetValueOrDefault(r.InterfaceIndex),
                (byte)r.EffectiveScope,
                r.Protocol))];
    });

    public void Dispose()
    {
        host?.Dispose();
        foreach (var (ns, kernel) in pods.Values)
        {
            kernel.Dispose();
            ns.Dispose();
        }

        pods.Clear();
    }

    private static string? FormatMac(PhysicalAddress? address) =>
        address is null ? null : string.Join(':', address.GetAddressBytes().Select(b => b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)));

    /// <summary>Runs one kernel step; the kernel's refusal becomes error 101 naming the step and the namespace.</summary>
    private static T Do<T>(string? netns, Func<T> step)
    {
        try
        {
            return step();
        }
        catch (Exception e) when (e is NetlinkException or NamespaceException)
        {
            throw new CniException(CniErrorCode.WiringFailed, e.Message, netns is null ? "in the node's namespace" : $"in the pod's namespace {netns}");
        }
    }

    private Rtnetlink Kernel(string? netns) => netns is null ? host ??= Rtnetlink.Open() : Pod(netns).Kernel;

    private (NetworkNamespace Namespace, Rtnetlink Kernel) Pod(string netns)
    {
        if (!pods.TryGetValue(netns, out var pod))
        {
            var ns = NetworkNamespace.Open(netns);
            try
            {
                pod = (ns, Rtnetlink.Open(ns));
            }
            catch
            {
                ns.Dispose();
                throw;
            }

            pods.Add(netns, pod);
        }

        return pod;
    }

    private int IndexOf(string? netns, string name)
    {
        if (!indexes.TryGetValue((netns ?? string.Empty, name), out var index))
        {
            index = Kernel(netns).Links.IndexOf(name);
            indexes[(netns ?? string.Empty, name)] = index;
        }

        return index;
    }
}
