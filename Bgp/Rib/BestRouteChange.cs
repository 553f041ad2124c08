using Routing.Bgp.Wire;

namespace Routing.Bgp.Rib;

/// <summary>
/// The best path to a prefix changed: the new best (and why), or null when the prefix became
/// unreachable. It also comes when only the set of paths equal to the best (<see cref="Multipath"/>)
/// changed; then <see cref="BestChanged"/> is false.
/// </summary>
public readonly record struct BestRouteChange(Prefix Prefix, Route? Best, BestPathReason? Reason)
{
    private readonly IReadOnlyList<Route>? multipath;

    /// <summary>The best path and the paths through other next hops that tie with it up to the tie-breaks (<see cref="Rib.Multipath"/>); empty when there is only the best.</summary>
    public IReadOnlyList<Route> Multipath { get => multipath ?? []; init => multipath = value is { Count: > 0 } ? value : null; }

    /// <summary>False when the best path is the same and only <see cref="Multipath"/> changed.</summary>
    public bool BestChanged { get; init; } = true;
}
