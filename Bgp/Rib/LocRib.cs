using System.Net;
using Routing.Bgp.Wire;

namespace Routing.Bgp.Rib;

/// <summary>
/// The Loc-RIB (RFC 4271 §3.2): every path to every prefix from every peer and from this speaker,
/// with the best path chosen by <see cref="BestPath"/>. Changes of best path are published to
/// subscribers in batches (one per UPDATE), for the route programmer.
/// </summary>
public sealed class LocRib
{
    private readonly Lock gate = new();
    private readonly Dictionary<Prefix, Entry> entries = [];
    private readonly List<Action<IReadOnlyList<BestRouteChange>>> subscribers = [];

    /// <summary>Prefixes with at least one path.</summary>
    public int Count
    {
        get
        {
            lock (gate)
            {
                return entries.Count;
            }
        }
    }

    /// <summary>Receives every batch of best-path changes, on the thread that made them; keep it quick.</summary>
    public IDisposable Subscribe(Action<IReadOnlyList<BestRouteChange>> onChanges)
    {
        lock (gate)
        {
            subscribers.Add(onChanges);
        }

        return new Subscription(this, onChanges);
    }

    /// <summary>Replaces the paths of one source (a peer's address, or local): announced ones added or replaced, withdrawn ones removed.</summary>
    public void Apply(IPAddress source, IReadOnlyList<Route> announced, IReadOnlyList<(AfiSafi Family, Nlri Nlri)> withdrawn)
    {
        ArgumentNullException.ThrowIfNull(announced);
        ArgumentNullException.ThrowIfNull(withdrawn);
        List<BestRouteChange> changes = [];
        Action<IReadOnlyList<BestRouteChange>>[] notify;
        lock (gate)
        {
            foreach (var (_, nlri) in withdrawn)
            {
                if (entries.TryGetValue(nlri.Prefix, out var entry) && entry.Remove(source, nlri.PathId))
                {
                    Reselect(nlri.Prefix, entry, changes);
                }
            }

            foreach (var route in announced)
            {
                if (!entries.TryGetValue(route.Prefix, out var entry))
                {
                    entry = new Entry();
                    entries.Add(route.Prefix, entry);
                }

                entry.Put(route);
                Reselect(route.Prefix, entry, changes);
            }

            notify = subscribers.Count == 0 || changes.Count == 0 ? [] : [.. subscribers];
        }

        foreach (var subscriber in notify)
        {
            subscriber(changes);
        }
    }

    private void Reselect(Prefix prefix, Entry entry, List<BestRouteChange> changes)
    {
        var previous = entry.Best;
        if (entry.Paths.Length == 0)
        {
            entries.Remove(prefix);
            entry.Best = null;
            if (previous is not null)
            {
                changes.Add(new BestRouteChange(prefix, null, null));
            }

            return;
        }

        var result = BestPath.Select(entry.Paths);
        entry.Best = result.Best;
        entry.Reason = result.Reason;
        if (!ReferenceEquals(previous, result.Best))
        {
            changes.Add(new BestRouteChange(prefix, result.Best, result.Reason));
        }
    }

    public RibEntry? Lookup(Prefix prefix)
    {
        lock (gate)
        {
            return entries.TryGetValue(prefix, out var entry) ? ToRibEntry(prefix, entry) : null;
        }
    }

    /// <summary>A copy of the table (optionally one family, or the prefixes inside <paramref name="within"/>), sorted by prefix.</summary>
    public IReadOnlyList<RibEntry> Snapshot(AfiSafi? family = null, Prefix? within = null)
    {
        List<RibEntry> result = [];
        lock (gate)
        {
            foreach (var (prefix, entry) in entries)
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

    private static RibEntry ToRibEntry(Prefix prefix, Entry entry) =>
        new(prefix, entry.Best!, entry.Reason, entry.Paths.Where(p => !ReferenceEquals(p, entry.Best)).ToArray());

    /// <summary>The paths to one prefix: usually one, so an array copied on change is the cheapest store.</summary>
    private sealed class Entry
    {
        public Route[] Paths { get; private set; } = [];

        public Route? Best { get; set; }

        public BestPathReason Reason { get; set; }

        public void Put(Route route)
        {
            var paths = Paths;
            for (var i = 0; i < paths.Length; i++)
            {
                if (paths[i].PathId == route.PathId && paths[i].Source.PeerAddress.Equals(route.Source.PeerAddress))
                {
                    var copy = (Route[])paths.Clone();
                    copy[i] = route;
                    Paths = copy;
                    return;
                }
            }

            Paths = [.. paths, route];
        }

        public bool Remove(IPAddress source, uint pathId)
        {
            var index = Array.FindIndex(Paths, p => p.PathId == pathId && p.Source.PeerAddress.Equals(source));
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
