using System.Net;
using System.Net.Sockets;
using Routing.Agent.Resources;
using Routing.Bgp.Sessions;
using Routing.Bgp.Wire;

namespace Routing.Agent.Peering;

/// <summary>One session this node should have, with what calicoctl would call its type.</summary>
public sealed record PlannedPeer(PeerConfig Config, string Type, string Name)
{
    public const string Mesh = "node-to-node mesh";
    public const string Global = "global";
    public const string NodeSpecific = "node specific";
}

/// <summary>
/// The BGP part of this node's desired state, computed purely from the cluster's resources: the
/// speaker's identity, its sessions (full mesh and BGPPeers that select this node) and the
/// prefixes it originates.
/// </summary>
public sealed record BgpPlan(SpeakerConfig Speaker, IReadOnlyList<PlannedPeer> Peers, IReadOnlyList<Prefix> Originated)
{
    public static BgpPlan Calculate(ResourceSet resources, string nodeName) => Calculate(resources, nodeName, []);

    /// <summary>
    /// The plan, advertising this node's address blocks (<paramref name="ownBlocks"/>) besides its
    /// RoutingNode's <c>advertise</c> list, and the service routes (<see cref="ServiceRoutes"/>) for
    /// <paramref name="localPolicyAddresses"/>.
    /// </summary>
    public static BgpPlan Calculate(ResourceSet resources, string nodeName, IReadOnlyList<Prefix> ownBlocks, IReadOnlyList<LocalPolicyAddress>? localPolicyAddresses = null)
    {
        ArgumentNullException.ThrowIfNull(ownBlocks);
        ArgumentNullException.ThrowIfNull(resources);
        var node = resources.FindNode(nodeName)
            ?? throw new PlanException($"there is no RoutingNode named '{nodeName}' in the datastore; add one (kind: RoutingNode, metadata.name: {nodeName})");
        var global = resources.GlobalBgpConfiguration;
        var asn = node.AsNumber ?? global.AsNumber;
        var routerId = global.RouterId ?? node.IPv4Address?.Address
            ?? throw new PlanException($"RoutingNode {nodeName}: spec.ipv4Address is not set and BGPConfiguration has no spec.routerId; one of them gives the router ID");

        var speaker = new SpeakerConfig
        {
            Asn = asn,
            RouterId = routerId,
            ListenPort = global.ListenPort,
            IPv4NextHop = node.IPv4Address?.Address,
            IPv6NextHop = node.IPv6Address?.Address,
            ClusterId = node.RouteReflectorClusterId,
        };

        var peers = new Dictionary<IPAddress, PlannedPeer>();
        var own = new HashSet<IPAddress>(new[] { node.IPv4Address?.Address, node.IPv6Address?.Address }.OfType<IPAddress>());

        // Explicit BGPPeers first: they win over the mesh for the same address.
        foreach (var peer in resources.BgpPeers.Where(p => p.PeerIP is not null && p.AppliesTo(nodeName, node.Labels)))
        {
            var endpoint = peer.PeerIP!.Value;
            if (own.Contains(endpoint.Address) || peers.ContainsKey(endpoint.Address))
            {
                continue;
            }

            var hold = peer.HoldTime ?? BgpPeer.DefaultHoldTime;
            var config = new PeerConfig
            {
                PeerAddress = endpoint.Address,
                PeerPort = endpoint.PortOrDefault,
                PeerAs = peer.AsNumber ?? asn,
                HoldTime = (ushort)hold.TotalSeconds,
                KeepaliveTime = peer.KeepaliveTime is { } keepalive ? (ushort)keepalive.TotalSeconds : null,
                Passive = peer.Passive,
                SourceAddress = Source(peer.SourceAddress, node, endpoint.Address),
                Description = peer.Name,
            };
            var type = peer.Node is not null || peer.NodeSelector is not null ? PlannedPeer.NodeSpecific : PlannedPeer.Global;
            peers[endpoint.Address] = new PlannedPeer(config, type, peer.Name);
        }

        // BGPPeers with a peerSelector: the selected nodes are neighbours (route reflectors and their clients).
        foreach (var peer in resources.BgpPeers.Where(p => p.PeerSelector is not null))
        {
            foreach (var other in ReflectorPeering.SelectedNodes(peer, resources, node))
            {
                var address = other.IPv4Address!.Value.Address;
                if (own.Contains(address) || peers.ContainsKey(address))
                {
                    continue;
                }

                var config = new PeerConfig
                {
                    PeerAddress = address,
                    PeerAs = other.AsNumber ?? global.AsNumber,
                    HoldTime = (ushort)(peer.HoldTime ?? BgpPeer.DefaultHoldTime).TotalSeconds,
                    KeepaliveTime = peer.KeepaliveTime is { } keepalive ? (ushort)keepalive.TotalSeconds : null,
                    Passive = peer.Passive,
                    SourceAddress = Source(peer.SourceAddress, node, address),
                    Description = other.Name,
                };
                var type = peer.Node is not null || peer.NodeSelector is not null ? PlannedPeer.NodeSpecific : PlannedPeer.Global;
                peers[address] = new PlannedPeer(config, type, other.Name);
            }
        }

        if (global.NodeToNodeMeshEnabled)
        {
            foreach (var other in resources.Nodes.Where(n => n.Name != nodeName && n.IPv4Address is not null))
            {
                var address = other.IPv4Address!.Value.Address;
                if (own.Contains(address) || peers.ContainsKey(address))
                {
                    continue;
                }

                var config = new PeerConfig
                {
                    PeerAddress = address,
                    PeerAs = other.AsNumber ?? global.AsNumber,
                    SourceAddress = node.IPv4Address?.Address,
                    Description = other.Name,
                };
                peers[address] = new PlannedPeer(config, PlannedPeer.Mesh, other.Name);
            }
        }

        var nodesByAddress = ReflectorPeering.NodesByAddress(resources);
        var ordered = peers.Values.Select(p => p with { Config = ReflectorPeering.WithClientFlag(p.Config, node, nodesByAddress) }).OrderBy(p => p.Config.PeerAddress.AddressFamily).ThenBy(p => p.Config.PeerAddress.ToString(), StringComparer.Ordinal).ToArray();
        var services = ServiceRoutes.For(global, localPolicyAddresses ?? []);
        return new BgpPlan(speaker, ordered, node.Advertise.Concat(ownBlocks).Concat(services).Distinct().Order().ToArray());
    }

    private static IPAddress? Source(SourceAddress source, RoutingNode node, IPAddress peer) => source.Mode switch
    {
        SourceAddressMode.None => null,
        SourceAddressMode.UseNodeIP => peer.AddressFamily == AddressFamily.InterNetworkV6 ? node.IPv6Address?.Address : node.IPv4Address?.Address,
        _ => source.Address,
    };

    public bool Equals(BgpPlan? other) =>
        other is not null && Speaker.Equals(other.Speaker) && Peers.SequenceEqual(other.Peers) && Originated.SequenceEqual(other.Originated);

    public override int GetHashCode() => HashCode.Combine(Speaker, Peers.Count, Originated.Count);
}

/// <summary>The resources do not let this node run BGP; the message says which field to set.</summary>
public sealed class PlanException : Exception
{
    public PlanException()
    {
    }

    public PlanException(string message)
        : base(message)
    {
    }

    public PlanException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
