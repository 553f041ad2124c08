using System.Net;
using Routing.Agent.Resources;
using Routing.Bgp.Sessions;

namespace Routing.Agent.Peering;

/// <summary>
/// Sessions between nodes as Calico makes them when route reflectors are in play: BGPPeers with a
/// <c>peerSelector</c> pick nodes as neighbours, and a node with <c>routeReflectorClusterID</c>
/// treats every node neighbour whose cluster ID differs from its own (none included) as its
/// route-reflector client; neighbours with the same cluster ID are fellow reflectors.
/// </summary>
public static class ReflectorPeering
{
    /// <summary>
    /// The other nodes a BGPPeer with a <c>peerSelector</c> makes <paramref name="node"/>'s neighbours, by name
    /// order. Both ways, as in Calico: when the BGPPeer applies to this node, the nodes its peerSelector
    /// selects; when its peerSelector selects this node, the nodes the BGPPeer applies to.
    /// </summary>
    public static IEnumerable<RoutingNode> SelectedNodes(BgpPeer peer, ResourceSet resources, RoutingNode node)
    {
        ArgumentNullException.ThrowIfNull(peer);
        ArgumentNullException.ThrowIfNull(resources);
        ArgumentNullException.ThrowIfNull(node);
        if (peer.PeerSelector is null || !NodeSelector.TryParse(peer.PeerSelector, out var selector, out _))
        {
            return [];
        }

        var applies = peer.AppliesTo(node.Name, node.Labels);
        var selected = selector.Matches(node.Labels);
        return resources.Nodes
            .Where(n => n.Name != node.Name && n.IPv4Address is not null)
            .Where(n => (applies && selector.Matches(n.Labels)) || (selected && peer.AppliesTo(n.Name, n.Labels)))
            .OrderBy(n => n.Name, StringComparer.Ordinal);
    }

    /// <summary>Whether <paramref name="node"/> treats the neighbour <paramref name="peer"/> as its route-reflector client (Calico's rule).</summary>
    public static bool IsClient(RoutingNode node, RoutingNode peer)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(peer);
        return node.RouteReflectorClusterId is { } ours && !ours.Equals(peer.RouteReflectorClusterId);
    }

    /// <summary>Marks the sessions to other nodes (mesh, selected or by address) that are this node's clients.</summary>
    public static PeerConfig WithClientFlag(PeerConfig config, RoutingNode node, IReadOnlyDictionary<IPAddress, RoutingNode> nodesByAddress)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(nodesByAddress);
        var client = nodesByAddress.TryGetValue(config.PeerAddress, out var peer) && IsClient(node, peer);
        return client == config.RouteReflectorClient ? config : config with { RouteReflectorClient = client };
    }

    /// <summary>Every node's addresses, for finding which neighbours are nodes.</summary>
    public static Dictionary<IPAddress, RoutingNode> NodesByAddress(ResourceSet resources)
    {
        ArgumentNullException.ThrowIfNull(resources);
        var result = new Dictionary<IPAddress, RoutingNode>();
        foreach (var node in resources.Nodes)
        {
            foreach (var address in new[] { node.IPv4Address?.Address, node.IPv6Address?.Address }.OfType<IPAddress>())
            {
                result.TryAdd(address, node);
            }
        }

        return result;
    }
}
