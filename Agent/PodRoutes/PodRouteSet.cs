using System.Collections.Concurrent;
using System.Net;
using Routing.Agent.Routes;
using Routing.Dataplane.Routes;

namespace Routing.Agent.PodRoutes;

/// <summary>
/// The per-pod host routes the agent keeps (a /32 or /128 to each local pod, out of its host-side
/// veth, as routing-cni makes them at ADD) in the node's <see cref="RouteTable"/>: a route deleted
/// by hand is put back, and one whose pod's address was released goes. Pod routes the agent does
/// not know of (the CNI's, made before the agent saw the allocation) are left alone
/// (<see cref="LeavesAlone"/>), so that the agent never fights the plugin at ADD; at DEL the
/// kernel removes the route with the veth.
/// </summary>
public sealed class PodRouteSet
{
    private readonly ConcurrentDictionary<IPNetwork, Route> wanted = new();

    // Routes given up in the last round: still the table's until its apply has deleted them.
    private readonly ConcurrentDictionary<IPNetwork, Route> retiring = new();
    private RouteTable? table;

    /// <summary>The table the routes go into; its <see cref="RouteTableOptions.LeaveAlone"/> must be <see cref="LeavesAlone"/>.</summary>
    public void Use(RouteTable routeTable) => table = routeTable;

    /// <summary>The routes wanted now.</summary>
    public IReadOnlyCollection<Route> Wanted => [.. wanted.Values];

    /// <summary>For <see cref="RouteTableOptions.LeaveAlone"/>: a pod route (<see cref="KernelRoutes.IsPodRoute"/>) of a pod this set does not route.</summary>
    public bool LeavesAlone(Route route) =>
        KernelRoutes.IsPodRoute(route) && !wanted.ContainsKey(route.Destination) && !retiring.ContainsKey(route.Destination);

    /// <summary>
    /// The routes for <paramref name="pods"/> whose veth is in <paramref name="links"/> (name to
    /// index): a pod whose veth is not there (yet, or any more) gets none.
    /// </summary>
    public static IReadOnlyList<Route> Desired(IEnumerable<LocalPod> pods, IReadOnlyDictionary<string, int> links)
    {
        ArgumentNullException.ThrowIfNull(pods);
        ArgumentNullException.ThrowIfNull(links);
        return [.. pods
            .Select(p => links.TryGetValue(p.Interface, out var index) ? Route.Device(HostNetwork(p.Address), index) : null)
            .OfType<Route>()
            .DistinctBy(r => r.Destination)
            .OrderBy(r => r.Destination.ToString(), StringComparer.Ordinal)];
    }

    /// <summary>Makes <paramref name="routes"/> the pod routes in the table; returns whether anything changed.</summary>
    public bool Set(IReadOnlyList<Route> routes)
    {
        ArgumentNullException.ThrowIfNull(routes);
        if (table is null)
        {
            return false;
        }

        var changed = false;
        var next = routes.ToDictionary(r => r.Destination);
        retiring.Clear();
        foreach (var (destination, route) in wanted)
        {
            if (!next.ContainsKey(destination))
            {
                // Still the table's for a round, so that its apply deletes the kernel's copy.
                retiring[destination] = route;
                wanted.TryRemove(destination, out _);
                table.Remove(route);
                changed = true;
            }
        }

        foreach (var (destination, route) in next)
        {
            if (!wanted.TryGetValue(destination, out var old) || !old.Equals(route))
            {
                wanted[destination] = route;
                table.Set(route);
                changed = true;
            }
        }

        return changed;
    }

    private static IPNetwork HostNetwork(IPAddress address) =>
        new(address, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? 128 : 32);
}
