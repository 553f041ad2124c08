using System.Net;
using System.Net.Sockets;
using Routing.Agent.Resources;
using Routing.Bgp.Wire;
using Routing.Ipam.Blocks;
using Routing.Ipam.Pools;

namespace Routing.Agent.Tunnels;

/// <summary>
/// What one node wants of its tunnels, computed purely from the cluster (nodes, IPv4 pools, block
/// affinities), as Calico's felix does for VXLAN and IPIP: the devices (a VXLAN device when a pool
/// has <c>vxlanMode</c> other than Never, tunl0 likewise for <c>ipipMode</c>), and for every other
/// node's block in such a pool a route over the tunnel, with, for VXLAN, that node's neighbour and
/// forwarding entries. <c>CrossSubnet</c> tunnels only to nodes outside this node's subnet and
/// routes directly to the others. Blocks of pools with neither mode are left to BGP.
/// </summary>
public sealed record TunnelPlan
{
    public static TunnelPlan None { get; } = new();

    /// <summary>Some pool has <c>vxlanMode</c> Always or CrossSubnet: the node has a VXLAN device.</summary>
    public bool Vxlan { get; init; }

    /// <summary>Some pool has <c>ipipMode</c> Always or CrossSubnet: the node has tunl0.</summary>
    public bool Ipip { get; init; }

    /// <summary>This node's address on its subnet: the VXLAN device's local end and parent.</summary>
    public IPAddress? NodeAddress { get; init; }

    /// <summary>This node's VTEP address (its published <c>ipv4VXLANTunnelAddr</c>), null until it has one.</summary>
    public IPAddress? TunnelAddress { get; init; }

    public EquatableArray<TunnelRoute> Routes { get; init; }

    public EquatableArray<VxlanPeer> VxlanPeers { get; init; }

    /// <summary>Remote nodes whose blocks want VXLAN but which have not published their tunnel end yet.</summary>
    public EquatableArray<string> Waiting { get; init; }

    public static TunnelPlan Calculate(string nodeName, IEnumerable<RoutingNode> nodes, IEnumerable<IPPool> pools, IEnumerable<BlockAffinity> affinities)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        ArgumentNullException.ThrowIfNull(pools);
        ArgumentNullException.ThrowIfNull(affinities);
        var ipv4Pools = pools
            .Where(p => p.IpipMode != EncapsulationMode.Never || p.VxlanMode != EncapsulationMode.Never)
            .Select(p => (Pool: p, Cidr: p.ParseCidr()))
            .Where(p => p.Cidr.BaseAddress.AddressFamily == AddressFamily.InterNetwork)
            .ToArray();
        if (ipv4Pools.Length == 0)
        {
            return None;
        }

        var byName = nodes.GroupBy(n => n.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var self = byName.GetValueOrDefault(nodeName);
        var routes = new List<TunnelRoute>();
        var peers = new SortedDictionary<string, VxlanPeer>(StringComparer.Ordinal);
        var waiting = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var affinity in affinities.Where(a => a.State == AffinityState.Confirmed && a.Node != nodeName).OrderBy(a => a.Node, StringComparer.Ordinal).ThenBy(a => a.Cidr.BaseAddress.ToString(), StringComparer.Ordinal))
        {
            var pool = ipv4Pools.FirstOrDefault(p => p.Cidr.Contains(affinity.Cidr.BaseAddress)).Pool;
            if (pool is null || !byName.TryGetValue(affinity.Node, out var remote) || remote.IPv4Address is not { } remoteAddress)
            {
                continue;
            }

            var vxlan = pool.VxlanMode != EncapsulationMode.Never;
            var mode = vxlan ? pool.VxlanMode : pool.IpipMode;
            if (mode == EncapsulationMode.CrossSubnet && self?.IPv4Address is { } own && SameSubnet(own, remoteAddress.Address))
            {
                routes.Add(new TunnelRoute(affinity.Cidr, remote.Name, TunnelKind.Direct, remoteAddress.Address));
            }
            else if (!vxlan)
            {
                routes.Add(new TunnelRoute(affinity.Cidr, remote.Name, TunnelKind.Ipip, remoteAddress.Address));
            }
            else if (remote.IPv4VxlanTunnelAddress is { } vtep && remote.VxlanTunnelMacAddress is { } mac)
            {
                routes.Add(new TunnelRoute(affinity.Cidr, remote.Name, TunnelKind.Vxlan, vtep));
                peers[remote.Name] = new VxlanPeer(remote.Name, vtep, mac, remoteAddress.Address);
            }
            else
            {
                waiting.Add(remote.Name);
            }
        }

        return new TunnelPlan
        {
            Vxlan = ipv4Pools.Any(p => p.Pool.VxlanMode != EncapsulationMode.Never),
            Ipip = ipv4Pools.Any(p => p.Pool.VxlanMode == EncapsulationMode.Never && p.Pool.IpipMode != EncapsulationMode.Never),
            NodeAddress = self?.IPv4Address?.Address,
            TunnelAddress = self?.IPv4VxlanTunnelAddress,
            Routes = routes.ToArray(),
            VxlanPeers = peers.Values.ToArray(),
            Waiting = waiting.ToArray(),
        };
    }

    private static bool SameSubnet(InterfaceAddress own, IPAddress other)
    {
        var network = new IPNetwork(own.Network.Address, own.PrefixLength);
        return network.Contains(other);
    }

    /// <summary>The pool a node's VTEP address comes from: the first IPv4 pool (by name) with VXLAN on that is not disabled.</summary>
    public static IPPool? VxlanPoolFor(IEnumerable<IPPool> pools, Func<IPPool, bool> selectsNode)
    {
        ArgumentNullException.ThrowIfNull(pools);
        ArgumentNullException.ThrowIfNull(selectsNode);
        return pools
            .Where(p => p.VxlanMode != EncapsulationMode.Never && !p.Disabled && !p.Cidr.Contains(':', StringComparison.Ordinal) && selectsNode(p))
            .OrderBy(p => p.Name, StringComparer.Ordinal)
            .FirstOrDefault();
    }
}
