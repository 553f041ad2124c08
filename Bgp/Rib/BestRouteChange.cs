using Routing.Bgp.Wire;

namespace Routing.Bgp.Rib;

/// <summary>The best path to a prefix changed: the new best (and why), or null when the prefix became unreachable.</summary>
public readonly record struct BestRouteChange(Prefix Prefix, Route? Best, BestPathReason? Reason);
