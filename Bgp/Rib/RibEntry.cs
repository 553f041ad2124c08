using Routing.Bgp.Wire;

namespace Routing.Bgp.Rib;

/// <summary>One prefix of the Loc-RIB as <c>routing bgp routes</c> shows it: the best path, why it won, the other paths.</summary>
public sealed record RibEntry(Prefix Prefix, Route Best, BestPathReason Reason, IReadOnlyList<Route> Alternatives);
