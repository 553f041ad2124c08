using System.Net;
using Routing.Bgp.Wire;

namespace Routing.Bgp.Sessions;

/// <summary>One BGP neighbour as configured (Calico's BGPPeer, resolved for this node). Immutable; swapped whole.</summary>
public sealed record PeerConfig
{
    public required IPAddress PeerAddress { get; init; }

    public int PeerPort { get; init; } = 179;

    public required uint PeerAs { get; init; }

    /// <summary>The local AS for this session when it differs from the speaker's.</summary>
    public uint? LocalAs { get; init; }

    /// <summary>The address to connect from (Calico's <c>sourceAddress</c>); any when null.</summary>
    public IPAddress? SourceAddress { get; init; }

    /// <summary>Proposed hold time in seconds: 0, or at least 3 (RFC 4271 §4.2).</summary>
    public ushort HoldTime { get; init; } = 90;

    /// <summary>Keepalive interval in seconds; a third of the negotiated hold time when null.</summary>
    public ushort? KeepaliveTime { get; init; }

    /// <summary>Wait for the peer to connect; never connect out.</summary>
    public bool Passive { get; init; }

    public TimeSpan ConnectRetryTime { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Families to offer; the session carries those both sides offer.</summary>
    public EquatableArray<AfiSafi> Families { get; init; } = new[] { AfiSafi.Ipv4Unicast, AfiSafi.Ipv6Unicast };

    /// <summary>
    /// The peer is a route-reflector client of this speaker (RFC 4456): iBGP paths learned from it
    /// are reflected to every other iBGP peer, and those learned from non-clients are reflected to it.
    /// </summary>
    public bool RouteReflectorClient { get; init; }

    /// <summary>A name for logs and status (the BGPPeer or node name).</summary>
    public string? Description { get; init; }

    public override string ToString() => Description is null ? $"{PeerAddress} AS {PeerAs}" : $"{Description} ({PeerAddress} AS {PeerAs})";
}
