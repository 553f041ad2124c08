using Routing.Bgp.Rib;
using Routing.Bgp.Wire.Attributes;

namespace Routing.Bgp.Reflection;

/// <summary>
/// BGP route reflection (RFC 4456) as pure rules: which iBGP-learned best paths a reflector passes
/// to which iBGP peer, what it adds to them, and which received paths are its own reflections come back.
/// </summary>
public static class RouteReflection
{
    /// <summary>
    /// RFC 4456 §6: a path from a client goes to every other iBGP peer, clients and non-clients;
    /// a path from a non-client iBGP peer goes to clients only. Never back to the peer it came from.
    /// </summary>
    public static bool Reflects(bool fromClient, bool toClient) => fromClient || toClient;

    /// <summary>
    /// The attributes of a reflected path (RFC 4456 §8): ORIGINATOR_ID set to the router ID of the
    /// peer that sent it when absent, and <paramref name="clusterId"/> prepended to CLUSTER_LIST.
    /// The next hop and everything else pass unchanged (the IPv4 NEXT_HOP travels beside the attributes).
    /// </summary>
    public static PathAttributes Reflect(PathAttributes attributes, uint learnedFromRouterId, uint clusterId)
    {
        ArgumentNullException.ThrowIfNull(attributes);
        return attributes with
        {
            NextHop = null,
            OriginatorId = attributes.OriginatorId ?? learnedFromRouterId,
            ClusterList = (uint[])[clusterId, .. attributes.ClusterList],
        };
    }

    /// <summary>The attributes a reflector sends <paramref name="best"/> with to an iBGP peer, or null when it does not reflect it there.</summary>
    public static PathAttributes? ReflectTo(Route best, bool fromClient, bool toClient, uint clusterId)
    {
        ArgumentNullException.ThrowIfNull(best);
        var source = best.Source;
        if (source.IsLocal || source.IsExternal || !Reflects(fromClient, toClient))
        {
            return null;
        }

        return Reflect(best.Attributes, source.PeerRouterId, clusterId);
    }

    /// <summary>
    /// Why a path received over iBGP is a loop (RFC 4456 §8), or null: ORIGINATOR_ID is this
    /// speaker's router ID, or CLUSTER_LIST holds its cluster ID (checked only when it reflects).
    /// </summary>
    public static string? Loop(PathAttributes attributes, uint routerId, uint? clusterId)
    {
        ArgumentNullException.ThrowIfNull(attributes);
        if (attributes.OriginatorId == routerId)
        {
            return "ORIGINATOR_ID is our router ID (reflected back)";
        }

        if (clusterId is { } cluster && attributes.ClusterList.AsSpan().Contains(cluster))
        {
            return $"CLUSTER_LIST holds our cluster ID {Format(cluster)} (loop)";
        }

        return null;
    }

    /// <summary>A cluster ID or router ID in dotted-quad form.</summary>
    public static string Format(uint id) => $"{id >> 24}.{(id >> 16) & 0xFF}.{(id >> 8) & 0xFF}.{id & 0xFF}";
}
