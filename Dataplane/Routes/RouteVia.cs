using System.Net;

namespace Routing.Dataplane.Routes;

/// <summary>
/// Where a single gateway route goes, as a nexthop object holds it: the gateway, the device as the
/// route names it (0: wherever the kernel resolves the gateway), and the onlink flag.
/// </summary>
internal readonly record struct RouteVia(IPAddress Gateway, int InterfaceIndex, bool OnLink)
{
    /// <summary>The via of a route a nexthop object can carry: unicast, one gateway of the route's own family.</summary>
    public static bool TryOf(Route route, out RouteVia via)
    {
        if (route.Type == RouteType.Unicast && route.Gateway is { } gateway && route.NextHops.IsDefaultOrEmpty
            && gateway.AddressFamily == route.Family)
        {
            via = new RouteVia(gateway, route.InterfaceIndex, route.OnLink);
            return true;
        }

        via = default;
        return false;
    }
}
