using System.Net;

namespace Routing.Bgp.Wire;

/// <summary>MP_REACH_NLRI (RFC 4760 §3): routes of one family with their next hop (and an IPv6 link-local one).</summary>
public sealed record MpReach(AfiSafi Family, IPAddress NextHop, IPAddress? LinkLocalNextHop, IReadOnlyList<Nlri> Nlri);

/// <summary>MP_UNREACH_NLRI (RFC 4760 §4): withdrawn routes of one family. Empty is that family's End-of-RIB.</summary>
public sealed record MpUnreach(AfiSafi Family, IReadOnlyList<Nlri> Withdrawn);
