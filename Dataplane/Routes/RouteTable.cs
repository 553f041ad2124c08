using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Routing.Dataplane.Monitor;
using Routing.Dataplane.Namespaces;

namespace Routing.Dataplane.Routes;

/// <summary>
/// The routes the agent wants in one namespace (after felix's routetable), keyed by table,
/// destination and metric across both families. Applying dumps the kernel's routes of the
/// table's own protocol, diffs, and sends only the difference as one batch. Routes of any other
/// protocol are never touched: a key another owner holds is reported as a conflict and left alone.
/// <see cref="RunAsync"/> keeps the kernel in step: desired changes and netlink notifications
/// (a route of ours deleted or changed by someone else) are coalesced and repaired within
/// milliseconds; a full resync runs on overflow, on link changes and every
/// <see cref="RouteTableOptions.ResyncInterval"/>.
/// </summary>
public sealed partial class RouteTable : IDisposable
{
    private readonly IKernelRoutes kernel;
    private readonly ChannelReader<NetlinkChange>? changes;
    private readonly RouteTableOptions options;
    private readonly ILogger logger;
    private readonly IDisposable[] owned;

    // The table's own monitor (Open): big batches are sent with its route groups left.
    private NetlinkMonitor? ownMonitor;

    // Desired state and the work it implies; written by any thread.
    private readonly Lock gate = new();
    private Dictionary<PackedRouteKey, Route> desired = [];
    private HashSet<PackedRouteKey> dirty = [];
    private readonly HashSet<PackedRouteKey> retry = [];
    private DateTimeOffset? retryAt;
    private bool resyncRequested = true;
    private TaskCompletionSource signal = NewSignal();

    // The kernel as last seen; only the applying thread (under applyGate) reads or writes these.
    private readonly Lock applyGate = new();
    private Dictionary<PackedRouteKey, Route> kernelOwned = [];
    private readonly HashSet<PackedRouteKey> conflicts = [];
    private readonly HashSet<PackedRouteKey> takenFromUs = [];

    // Keys whose route of ours a notification showed deleted or changed by someone else.
    private readonly HashSet<PackedRouteKey> repaired = [];

    public RouteTable(IKernelRoutes kernel, ChannelReader<NetlinkChange>? changes, RouteTableOptions? options = null, ILogger? logger = null)
        : this(kernel, changes, options, logger, [])
    {
    }

    private RouteTable(IKernelRoutes kernel, ChannelReader<NetlinkChange>? changes, RouteTableOptions? options, ILogger? logger, IDisposable[] owned)
    {
        ArgumentNullException.ThrowIfNull(kernel);
        this.kernel = kernel;
        this.changes = changes;
        this.options = options ?? new RouteTableOptions();
        this.logger = logger ?? NullLogger.Instance;
        this.owned = owned;
    }

    /// <summary>Raised after every apply that changed something or failed, on the applying thread.</summary>
    public event Action<RouteTableApplyResult>? Applied;

    public byte Protocol => options.Protocol;

    /// <summary>Routes put back after someone else deleted or changed them.</summary>
    public long Repairs { get; private set; }

    /// <summary>A table for <paramref name="ns"/>'s kernel (null: the caller's), with its own rtnetlink connection and monitor.</summary>
    public static RouteTable Open(NetworkNamespace? ns = null, RouteTableOptions? options = null, ILogger? logger = null)
    {
        var rtnetlink = Rtnetlink.Open(ns);
        try
        {
            var monitor = NetlinkMonitor.Start(ns, MonitorGroups.Links | MonitorGroups.Routes | MonitorGroups.Nexthops);
            return new RouteTable(rtnetlink.Routes, monitor.Changes, options, logger, [monitor, rtnetlink]) { ownMonitor = monitor };
        }
        catch
        {
            rtnetlink.Dispose();
            throw;
        }
    }

    /// <summary>The routes wanted now.</summary>
    public IReadOnlyList<Route> Desired
    {
        get
        {
            lock (gate)
            {
                return [.. desired.Values];
            }
        }
    }

    /// <summary>Wants <paramref name="route"/> (its protocol becomes the table's), replacing any wanted route with the same key.</summary>
    public void Set(Route route)
    {
        ArgumentNullException.ThrowIfNull(route);
        EnsureManaged(route);
        var normalized = Normalize(route);
        lock (gate)
        {
            var key = PackedKeyOf(normalized);
            if (desired.TryGetValue(key, out var current))
            {
                if (current.Equals(normalized))
                {
                    return;
                }

                CountVia(wantedVia, current, -1);
            }

            CountVia(wantedVia, normalized, 1);
            desired[key] = normalized;
            dirty.Add(key);
            signal.TrySetResult();
        }
    }

    /// <summary>No longer wants the route with this key; the kernel's copy is deleted if it is ours.</summary>
    public bool Remove(RouteKey key) => Remove(PackedRouteKey.From(key));

    private bool Remove(PackedRouteKey key)
    {
        lock (gate)
        {
            if (!desired.Remove(key, out var old))
            {
                return false;
            }

            CountVia(wantedVia, old, -1);
            dirty.Add(key);
            signal.TrySetResult();
            return true;
        }
    }

    public bool Remove(Route route)
    {
        ArgumentNullException.ThrowIfNull(route);
        return Remove(PackedKeyOf(Normalize(route)));
    }

    /// <summary>Wants exactly <paramref name="routes"/>: every other wanted route is dropped.</summary>
    public void SetAll(IEnumerable<Route> routes)
    {
        ArgumentNullException.ThrowIfNull(routes);
        var next = new Dictionary<PackedRouteKey, Route>(routes.TryGetNonEnumeratedCount(out var count) ? count : 0);
        foreach (var route in routes)
        {
            EnsureManaged(route);
            var normalized = Normalize(route);
            next[PackedKeyOf(normalized)] = normalized;
        }

        var vias = CountVias(next);
        lock (gate)
        {
            // A full resync pending looks at every key anyway: marking a million keys dirty for it
            // would only double the work.
            if (!resyncRequested)
            {
                foreach (var (key, route) in desired)
                {
                    if (!next.TryGetValue(key, out var wanted) || !wanted.Equals(route))
                    {
                        dirty.Add(key);
                    }
                }

                foreach (var key in next.Keys)
                {
                    if (!desired.ContainsKey(key))
                    {
                        dirty.Add(key);
                    }
                }
            }

            desired = next;
            wantedVia = vias;
            signal.TrySetResult();
        }
    }

    /// <summary>Asks for a full dump-and-diff at the next apply.</summary>
    public void RequestResync()
    {
        lock (gate)
        {
            resyncRequested = true;
            signal.TrySetResult();
        }
    }

    public void Dispose()
    {
        foreach (var item in owned)
        {
            item.Dispose();
        }
    }

    /// <summary>The key the kernel files a route under (IPv6 stores metric 0 as 1024).</summary>
    public static RouteKey KeyOf(Route route)
    {
        ArgumentNullException.ThrowIfNull(route);
        return new RouteKey(route.Table, route.Destination, route.NormalizedMetric);
    }

    /// <summary>The same key, packed: how the table files routes.</summary>
    private static PackedRouteKey PackedKeyOf(Route route)
    {
        var address = PackedRouteKey.Pack(route.Destination.BaseAddress, out var family);
        return new PackedRouteKey(family, address, (byte)route.Destination.PrefixLength, route.Table, route.NormalizedMetric);
    }

    /// <summary>Whether a route is in a table and family this instance manages.</summary>
    public bool Manages(Route route)
    {
        ArgumentNullException.ThrowIfNull(route);
        return (options.Tables is null || options.Tables.Contains(route.Table)) && (options.Family is null || options.Family == route.Family)
            && options.LeaveAlone?.Invoke(route) != true;
    }

    private void EnsureManaged(Route route)
    {
        if (!Manages(route))
        {
            throw new ArgumentException($"route {route} is outside this route table (tables {(options.Tables is null ? "all" : string.Join(",", options.Tables))}, family {options.Family?.ToString() ?? "both"})", nameof(route));
        }
    }

    // A route already in normal form is kept as it is: at a million routes a copy of each costs
    // an allocation per route on every SetAll.
    private Route Normalize(Route route) =>
        route.Protocol == options.Protocol && route.Metric == route.NormalizedMetric ? route
        : route with { Protocol = options.Protocol, Metric = route.NormalizedMetric };

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
