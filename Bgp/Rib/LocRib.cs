using System.Net;
using System.Runtime.InteropServices;
using Routing.Bgp.Wire;

namespace Routing.Bgp.Rib;

/// <summary>
/// The Loc-RIB (RFC 4271 §3.2): every path to every prefix from every peer and from this speaker,
/// with the best path chosen by <see cref="BestPath"/>. Changes of best path are published to
/// subscribers in batches (one per UPDATE), for the route programmer.
/// </summary>
public sealed class LocRib
{
    // How many routes ahead of the one being applied the table fetches slots: the misses of a batch
    // overlap instead of queueing one after another (a full table arrives in the sender's order).
    private const int PrefetchDistance = 8;
    private readonly Lock gate = new();
    private readonly PrefixTable<object> table = new();
    private readonly List<Action<IReadOnlyList<BestRouteChange>>> subscribers = [];

    /// <summary>Prefixes with at least one path.</summary>
    public int Count
    {
        get
        {
            lock (gate)
            {
                return table.Count;
            }
        }
    }

    /// <summary>
    /// Receives every batch of best-path changes, on the thread that made them and under the table's
    /// lock (so in order): keep it quick, and do not wait there for another thread that uses the table.
    /// </summary>
    public IDisposable Subscribe(Action<IReadOnlyList<BestRouteChange>> onChanges)
    {
        lock (gate)
        {
            subscribers.Add(onChanges);
        }

        return new Subscription(this, onChanges);
    }

    /// <summary>
    /// Replaces the paths of one source (a peer's address, or local): announced ones added or
    /// replaced, withdrawn ones removed (unknown ones ignored). Returns how many paths of that
    /// source were added (not replaced) and removed, so the peer can keep its counts without a
    /// table of its own: the Loc-RIB holds every peer's Adj-RIB-In. The routes of one UPDATE
    /// share one <see cref="PathInfo"/>, and the table stores that, not a route object per prefix.
    /// </summary>
    public RibDelta Apply(IPAddress source, IReadOnlyList<(Nlri Nlri, PathInfo Path)> announced, IReadOnlyList<(AfiSafi Family, Nlri Nlri)> withdrawn)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(announced);
        ArgumentNullException.ThrowIfNull(withdrawn);
        List<BestRouteChange>? changes;
        int added = 0, removed = 0;
        lock (gate)
        {
            // Changes are only collected when someone listens.
            changes = subscribers.Count > 0 ? new List<BestRouteChange>(announced.Count + withdrawn.Count) : null;
            // The peers hand Lists: read them as spans, without an interface call per route.
            var withdrawals = ListSpans.Of(withdrawn);
            for (var i = 0; i < withdrawals.Length; i++)
            {
                if (i + PrefetchDistance < withdrawals.Length)
                {
                    table.Prefetch(withdrawals[i + PrefetchDistance].Nlri.Prefix);
                }

                removed += WithdrawOne(source, withdrawals[i].Nlri, changes) ? 1 : 0;
            }

            var routes = ListSpans.Of(announced);
            for (var i = 0; i < routes.Length; i++)
            {
                if (i + PrefetchDistance < routes.Length)
                {
                    table.Prefetch(routes[i + PrefetchDistance].Nlri.Prefix);
                }

                added += AnnounceOne(routes[i].Nlri, routes[i].Path, changes) ? 1 : 0;
            }

            // Under the gate, so that subscribers see every prefix's changes in the order they
            // happened, even when several peers apply at once.
            if (changes is { Count: > 0 })
            {
                foreach (var subscriber in subscribers)
                {
                    subscriber(changes);
                }
            }
        }

        return new RibDelta(added, removed);
    }

    /// <summary><see cref="Apply(IPAddress, IReadOnlyList{ValueTuple{Nlri, PathInfo}}, IReadOnlyList{ValueTuple{AfiSafi, Nlri}})"/> for routes already made.</summary>
    public RibDelta Apply(IPAddress source, IReadOnlyList<Route> announced, IReadOnlyList<(AfiSafi Family, Nlri Nlri)> withdrawn)
    {
        ArgumentNullException.ThrowIfNull(announced);
        return Apply(source, announced.Select(r => (new Nlri(r.Prefix, r.PathId), r.Path)).ToArray(), withdrawn);
    }

    /// <summary>Removes paths of one source; unknown ones are ignored.</summary>
    public RibDelta Withdraw(IPAddress source, IReadOnlyList<(AfiSafi Family, Nlri Nlri)> withdrawn) =>
        Apply(source, Array.Empty<(Nlri, PathInfo)>(), withdrawn);

    /// <summary>Removes every path of one source (its session went down); returns how many.</summary>
    public int RemoveSource(IPAddress source)
    {
        ArgumentNullException.ThrowIfNull(source);
        List<(AfiSafi, Nlri)> paths = [];
        lock (gate)
        {
            foreach (var (prefix, value) in table.Entries())
            {
                if (value is not Entry entry)
                {
                    var (path, pathId) = Single(value);
                    if (path.Source.PeerAddress.Equals(source))
                    {
                        paths.Add((prefix.Family, new Nlri(prefix, pathId)));
                    }

                    continue;
                }

                foreach (var path in entry.Paths)
                {
                    if (path.Source.PeerAddress.Equals(source))
                    {
                        paths.Add((prefix.Family, new Nlri(prefix, path.PathId)));
                    }
                }
            }
        }

        return Withdraw(source, paths).Removed;
    }

    // Most prefixes have one path, from one peer, without an ADD-PATH identifier: the table then
    // holds just its PathInfo (shared by every route of the UPDATE), a Route when it has an
    // identifier, and an Entry only when there are several paths. That keeps a million-prefix
    // table small: a slot per prefix and little else.
    private bool AnnounceOne(Nlri nlri, PathInfo path, List<BestRouteChange>? changes)
    {
        var prefix = nlri.Prefix;
        var single = SingleSlot(prefix, path, nlri.PathId);
        var existing = table.GetOrAdd(prefix, single);
        if (existing is null)
        {
            changes?.Add(new BestRouteChange(prefix, ToRoute(prefix, single), BestPathReason.OnlyPath));
            return true;
        }

        if (existing is not Entry several)
        {
            var (only, onlyId) = Single(existing);
            if (SameOrigin(only.Source, onlyId, path.Source.PeerAddress, nlri.PathId))
            {
                table.Set(prefix, single);
                changes?.Add(new BestRouteChange(prefix, ToRoute(prefix, single), BestPathReason.OnlyPath));
                return false;
            }

            var first = ToRoute(prefix, existing);
            var entry = new Entry([first, single as Route ?? new Route(prefix, path)]) { Best = first, Reason = BestPathReason.OnlyPath };
            table.Set(prefix, entry);
            Reselect(prefix, entry, changes);
            return true;
        }

        var added = several.Put(new Route(prefix, path, nlri.PathId));
        Reselect(prefix, several, changes);
        return added;
    }

    private bool WithdrawOne(IPAddress source, Nlri nlri, List<BestRouteChange>? changes)
    {
        if (!table.TryGetValue(nlri.Prefix, out var value))
        {
            return false;
        }

        if (value is not Entry entry)
        {
            var (only, onlyId) = Single(value);
            if (!SameOrigin(only.Source, onlyId, source, nlri.PathId))
            {
                return false;
            }

            table.Remove(nlri.Prefix);
            changes?.Add(new BestRouteChange(nlri.Prefix, null, null));
            return true;
        }

        if (!entry.Remove(source, nlri.PathId))
        {
            return false;
        }

        if (entry.Paths.Length == 1)
        {
            var last = entry.Paths[0];
            table.Set(nlri.Prefix, last.PathId == 0 ? last.Path : last);
            if (!ReferenceEquals(entry.Best, last))
            {
                changes?.Add(new BestRouteChange(nlri.Prefix, last, BestPathReason.OnlyPath));
            }
            else if (entry.Multipath.Count > 0)
            {
                changes?.Add(new BestRouteChange(nlri.Prefix, last, BestPathReason.OnlyPath) { BestChanged = false });
            }

            return true;
        }

        Reselect(nlri.Prefix, entry, changes);
        return true;
    }

    private static object SingleSlot(Prefix prefix, PathInfo path, uint pathId) => pathId == 0 ? path : new Route(prefix, path, pathId);

    private static (PathInfo Path, uint PathId) Single(object slot) => slot is Route route ? (route.Path, route.PathId) : ((PathInfo)slot, 0);

    /// <summary>The one path a single-path slot stands for, as a route.</summary>
    private static Route ToRoute(Prefix prefix, object slot) => slot as Route ?? new Route(prefix, (PathInfo)slot);

    private static bool SameOrigin(RouteSource from, uint fromPathId, IPAddress source, uint pathId) =>
        fromPathId == pathId && from.PeerAddress.Equals(source);

    private static void Reselect(Prefix prefix, Entry entry, List<BestRouteChange>? changes)
    {
        var previous = entry.Best;
        var previousMultipath = entry.Multipath;
        var result = BestPath.Select(entry.Paths);
        entry.Best = result.Best;
        entry.Reason = result.Reason;
        entry.Multipath = Multipath.Select(result.Best, entry.Paths);
        var bestChanged = !ReferenceEquals(previous, result.Best);
        if (bestChanged || !Multipath.Same(previousMultipath, entry.Multipath))
        {
            changes?.Add(new BestRouteChange(prefix, result.Best, result.Reason) { Multipath = entry.Multipath, BestChanged = bestChanged });
        }
    }

    public RibEntry? Lookup(Prefix prefix)
    {
        lock (gate)
        {
            return table.TryGetValue(prefix, out var entry) ? ToRibEntry(prefix, entry) : null;
        }
    }

    /// <summary>A copy of the table (optionally one family, or the prefixes inside <paramref name="within"/>), sorted by prefix.</summary>
    public IReadOnlyList<RibEntry> Snapshot(AfiSafi? family = null, Prefix? within = null)
    {
        List<RibEntry> result = [];
        lock (gate)
        {
            foreach (var (prefix, entry) in table.Entries())
            {
                if ((family is null || prefix.Family == family) && (within is null || within.Value.Contains(prefix)))
                {
                    result.Add(ToRibEntry(prefix, entry));
                }
            }
        }

        result.Sort((a, b) => a.Prefix.CompareTo(b.Prefix));
        return result;
    }

    private static RibEntry ToRibEntry(Prefix prefix, object value) => value is Entry entry
        ? ToRibEntry(prefix, entry)
        : new(prefix, ToRoute(prefix, value), BestPathReason.OnlyPath, []);

    private static RibEntry ToRibEntry(Prefix prefix, Entry entry) =>
        new(prefix, entry.Best!, entry.Reason, entry.Paths.Where(p => !ReferenceEquals(p, entry.Best)).ToArray());

    /// <summary>The paths to one prefix: usually one, so an array copied on change is the cheapest store.</summary>
    private sealed class Entry(Route[] paths)
    {
        public Route[] Paths { get; private set; } = paths;

        public Route? Best { get; set; }

        public BestPathReason Reason { get; set; }

        /// <summary>The best and the paths equal to it (<see cref="Rib.Multipath"/>); empty when only the best.</summary>
        public IReadOnlyList<Route> Multipath { get; set; } = [];

        /// <summary>Adds or replaces the source's path; true when added.</summary>
        public bool Put(Route route)
        {
            var paths = Paths;
            for (var i = 0; i < paths.Length; i++)
            {
                if (SameOrigin(paths[i].Source, paths[i].PathId, route.Source.PeerAddress, route.PathId))
                {
                    var copy = (Route[])paths.Clone();
                    copy[i] = route;
                    Paths = copy;
                    return false;
                }
            }

            Paths = [.. paths, route];
            return true;
        }

        public bool Remove(IPAddress source, uint pathId)
        {
            var index = -1;
            for (var i = 0; i < Paths.Length; i++)
            {
                if (SameOrigin(Paths[i].Source, Paths[i].PathId, source, pathId))
                {
                    index = i;
                    break;
                }
            }

            if (index < 0)
            {
                return false;
            }

            Paths = [.. Paths[..index], .. Paths[(index + 1)..]];
            return true;
        }
    }

    private sealed class Subscription(LocRib rib, Action<IReadOnlyList<BestRouteChange>> handler) : IDisposable
    {
        public void Dispose()
        {
            lock (rib.gate)
            {
                rib.subscribers.Remove(handler);
            }
        }
    }
}
