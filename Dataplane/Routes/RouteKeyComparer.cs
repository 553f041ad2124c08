namespace Routing.Dataplane.Routes;

/// <summary>
/// Compares <see cref="RouteKey"/>s by their packed form, so that a table keyed by them can be
/// looked up with a <see cref="PackedRouteKey"/> read from a dump (no IPAddress made to ask).
/// </summary>
internal sealed class RouteKeyComparer : IEqualityComparer<RouteKey>, IAlternateEqualityComparer<PackedRouteKey, RouteKey>
{
    public static readonly RouteKeyComparer Instance = new();

    public bool Equals(RouteKey x, RouteKey y) => PackedRouteKey.From(x) == PackedRouteKey.From(y);

    public int GetHashCode(RouteKey obj) => PackedRouteKey.From(obj).GetHashCode();

    public bool Equals(PackedRouteKey alternate, RouteKey other) => alternate == PackedRouteKey.From(other);

    public int GetHashCode(PackedRouteKey alternate) => alternate.GetHashCode();

    public RouteKey Create(PackedRouteKey alternate) => alternate.ToRouteKey();
}
