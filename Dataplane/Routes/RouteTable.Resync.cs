namespace Routing.Dataplane.Routes;

public sealed partial class RouteTable
{
    /// <summary>
    /// Dumps the kernel's routes of this protocol and plans what makes them <paramref name="wanted"/>
    /// (a private copy, which this may keep as the kernel's view). The dump is held against the
    /// wanted routes as it streams by; a route already there as wanted is never read into an object.
    /// When every wanted route is there, the plan is only the deletes, with no lookup per route.
    /// </summary>
    private (RouteBatch Batch, List<PackedRouteKey> Keys) Resync(Dictionary<PackedRouteKey, Route> wanted)
    {
        var scan = new DumpScan(this, wanted);
        kernel.ReadByProtocol(options.Protocol, scan.Read, scan.Restart);
        conflicts.Clear();

        if (scan.Satisfied.Count == wanted.Count)
        {
            // The kernel's view is the wanted routes and our others: the others are deleted.
            kernelOwned = wanted;
            var batch = new RouteBatch();
            var keys = new List<PackedRouteKey>();
            foreach (var actual in scan.Others)
            {
                var key = PackedKeyOf(actual);
                if (kernelOwned.TryAdd(key, actual))
                {
                    Decide(key, null, actual, batch, keys);
                }
            }

            return (batch, keys);
        }

        kernelOwned = new Dictionary<PackedRouteKey, Route>(scan.Satisfied.Count + scan.Others.Count);
        foreach (var route in scan.Satisfied)
        {
            kernelOwned.TryAdd(PackedKeyOf(route), route);
        }

        foreach (var actual in scan.Others)
        {
            kernelOwned.TryAdd(PackedKeyOf(actual), actual);
        }

        return PlanAll(wanted);
    }

    /// <summary>
    /// One dump held against the wanted routes: the wanted routes the kernel has as wanted (the
    /// wanted objects stand for the kernel's), and every other route of ours, read in full.
    /// </summary>
    private sealed class DumpScan(RouteTable table, Dictionary<PackedRouteKey, Route> wanted)
    {
        public List<Route> Satisfied { get; } = new(wanted.Count);

        public List<Route> Others { get; } = [];

        public void Restart()
        {
            Satisfied.Clear();
            Others.Clear();
        }

        public void Read(ReadOnlySpan<byte> body)
        {
            if (!DumpedRoute.TryRead(body, out var dumped) || dumped.Protocol != table.options.Protocol)
            {
                return;
            }

            // A route through a nexthop, dumped without its gateway (nexthop_compat_mode off), is read in full.
            if (dumped.NexthopId != 0 && dumped.GatewayLength == 0)
            {
                ReadInFull(body);
                return;
            }

            // A second route under one key (IPv4 appends; they sit together in a dump) is an other.
            if (wanted.TryGetValue(dumped.Key, out var route) && dumped.Satisfies(route)
                && table.options.LeaveAlone?.Invoke(route) != true
                && (Satisfied.Count == 0 || !ReferenceEquals(Satisfied[^1], route)))
            {
                Satisfied.Add(route);
                return;
            }

            if (RouteMessage.TryRead(body, out var actual) && table.Manages(actual))
            {
                Others.Add(actual);
            }
        }

        private void ReadInFull(ReadOnlySpan<byte> body)
        {
            if (!RouteMessage.TryRead(body, out var read) || !table.Manages(read))
            {
                return;
            }

            var actual = table.WithNexthopDetails(read);
            if (wanted.TryGetValue(PackedKeyOf(actual), out var route) && route.IsSatisfiedBy(actual)
                && (Satisfied.Count == 0 || !ReferenceEquals(Satisfied[^1], route)))
            {
                Satisfied.Add(route);
                return;
            }

            Others.Add(actual);
        }
    }
}
