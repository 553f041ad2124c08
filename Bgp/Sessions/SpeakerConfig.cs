using System.Net;

namespace Routing.Bgp.Sessions;

/// <summary>The speaker's identity: its AS, router ID, where it listens, and the next hops it advertises.</summary>
public sealed record SpeakerConfig
{
    public required uint Asn { get; init; }

    public required IPAddress RouterId { get; init; }

    /// <summary>
    /// TCP port to listen on. 0 lets the system pick a free port (read it back from
    /// <see cref="Speaker.ListenEndpoints"/>); -1 disables listening (connect out only), as in GoBGP.
    /// </summary>
    public int ListenPort { get; init; } = 179;

    /// <summary>Addresses to listen on; all IPv4 and IPv6 addresses when empty.</summary>
    public IReadOnlyList<IPAddress> ListenAddresses { get; init; } = [];

    /// <summary>The IPv6 next hop for IPv6 routes sent over IPv4 sessions (the node's IPv6 address).</summary>
    public IPAddress? IPv6NextHop { get; init; }

    /// <summary>The IPv4 next hop for IPv4 routes sent over IPv6 sessions.</summary>
    public IPAddress? IPv4NextHop { get; init; }

    /// <summary>
    /// When set, the speaker tells its peers (RFC 4724) that its forwarding state survives a restart
    /// of the speaker, for every family, and how long to keep its routes while it is away: a peer
    /// that helps (BIRD, FRR and GoBGP do by default) then keeps forwarding to this node while its
    /// agent restarts. Null: the capability is sent without families (a helper only).
    /// </summary>
    public TimeSpan? GracefulRestartTime { get; init; }

    /// <summary>
    /// The cluster ID of this route reflector (RFC 4456 §7, Calico's <c>routeReflectorClusterID</c>); when
    /// null, a speaker with clients uses its router ID. Paths whose CLUSTER_LIST holds it are refused.
    /// </summary>
    public IPAddress? ClusterId { get; init; }

    public uint RouterIdValue => System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(RouterId.GetAddressBytes());

    public uint? ClusterIdValue => ClusterId is null ? null : System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(ClusterId.GetAddressBytes());

    public bool Equals(SpeakerConfig? other) =>
        other is not null && Asn == other.Asn && RouterId.Equals(other.RouterId) && ListenPort == other.ListenPort &&
        ListenAddresses.SequenceEqual(other.ListenAddresses) && Equals(IPv6NextHop, other.IPv6NextHop) && Equals(IPv4NextHop, other.IPv4NextHop) &&
        GracefulRestartTime == other.GracefulRestartTime && Equals(ClusterId, other.ClusterId);

    public override int GetHashCode() => HashCode.Combine(Asn, RouterId, ListenPort);
}
