using Routing.Agent.Datastore.Store;
using Routing.Ipam.Serialization;
using Routing.Ipam.Store;

namespace Routing.Agent.Ipam;

/// <summary>
/// A kind of IPAM record that rarely changes (pools, reservations, affinities) listed from memory,
/// kept fresh by the datastore's watch, so that an allocation does not list it from the store each
/// time. What this process writes is seen at once (until the watch reports that write); what others
/// write, as soon as the watch delivers it. A cached view may lag: it only picks where to allocate,
/// and the compare-and-swap of the block write still decides. While the watch is not in sync (at
/// the start, after an error) lists go to the store. Gets and writes always go to the store.
/// </summary>
internal sealed class WatchedIpamCollection<T> : IIpamCollection<T>, IAsyncDisposable
    where T : class, IIpamRecord
{
    private static readonly string Kind = IpamDocuments.KindOf<T>();
    private static readonly TimeSpan RetryAfter = TimeSpan.FromMilliseconds(200);

    // An own write the watch reported before it was remembered (and someone changed since) would
    // otherwise hide the newer state for good: own writes are trusted this long at most.
    private const long OwnWriteMilliseconds = 5_000;

    private readonly IResourceStore store;
    private readonly ResourceIpamCollection<T> direct;
    private readonly CancellationTokenSource stopping = new();
    private readonly Lock gate = new();

    // Null while not in sync with the store. Records are immutable, so handing them out shares nothing.
    private SortedDictionary<string, Versioned<T>>? synced;

    // This process's own writes the watch has not reported yet: a record, or null for a deletion.
    private readonly Dictionary<string, (Versioned<T>? Record, long Since)> ownWrites = new(StringComparer.Ordinal);
    private Task? watching;
    private long generation;

    public WatchedIpamCollection(IResourceStore store)
    {
        this.store = store;
        direct = new ResourceIpamCollection<T>(store);
    }

    /// <summary>True once the watch has listed the kind; for tests.</summary>
    internal bool InSync
    {
        get
        {
            lock (gate)
            {
                return synced is not null;
            }
        }
    }

    /// <summary>How many changes the watch has applied (lists included); for tests that wait for one.</summary>
    internal long Generation => Interlocked.Read(ref generation);

    public ValueTask<Versioned<T>?> GetAsync(string name, CancellationToken cancellationToken = default) =>
        direct.GetAsync(name, cancellationToken);

    public ValueTask<IReadOnlyList<Versioned<T>>> ListAsync(CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            watching ??= Task.Run(() => WatchAsync(stopping.Token), CancellationToken.None);
            if (synced is not null)
            {
                return ValueTask.FromResult(Snapshot());
            }
        }

        return direct.ListAsync(cancellationToken);
    }

    public async ValueTask<Versioned<T>> CreateAsync(T record, CancellationToken cancellationToken = default)
    {
        var written = await direct.CreateAsync(record, cancellationToken).ConfigureAwait(false);
        Remember(record.Name, written);
        return written;
    }

    public async ValueTask<Versioned<T>> UpdateAsync(T record, string expectedRevision, CancellationToken cancellationToken = default)
    {
        var written = await direct.UpdateAsync(record, expectedRevision, cancellationToken).ConfigureAwait(false);
        Remember(record.Name, written);
        return written;
    }

    public async ValueTask DeleteAsync(string name, string expectedRevision, CancellationToken cancellationToken = default)
    {
        try
        {
            await direct.DeleteAsync(name, expectedRevision, cancellationToken).ConfigureAwait(false);
        }
        catch (IpamStoreException e) when (e.Error == IpamStoreError.NotFound)
        {
            // Gone already, and the watch says so (or will): nothing of ours to remember.
            throw;
        }

        Remember(name, null);
    }

    /// <summary>A record this process wrote at <paramref name="written"/>'s revision, outside this collection (in a transaction).</summary>
    internal void Remember(Versioned<T> written) => Remember(written.Value.Name, written);

    private void Remember(string name, Versioned<T>? written)
    {
        lock (gate)
        {
            // Not when the watch has already reported this very write.
            var seen = synced?.GetValueOrDefault(name);
            if (synced is not null && (written is null ? seen is not null : seen?.Revision != written.Revision))
            {
                ownWrites[name] = (written, Environment.TickCount64);
            }
        }
    }

    private IReadOnlyList<Versioned<T>> Snapshot()
    {
        if (ownWrites.Count == 0)
        {
            return [.. synced!.Values];
        }

        var merged = new SortedDictionary<string, Versioned<T>>(synced!, StringComparer.Ordinal);
        var now = Environment.TickCount64;
        foreach (var (name, (record, since)) in ownWrites)
        {
            if (now - since > OwnWriteMilliseconds)
            {
                ownWrites.Remove(name);
            }
            else if (record is null)
            {
                merged.Remove(name);
            }
            else
            {
                merged[name] = record;
            }
        }

        return [.. merged.Values];
    }

    private async Task WatchAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var list = await store.ListAsync(Kind, cancellationToken).ConfigureAwait(false);
                var records = new SortedDictionary<string, Versioned<T>>(StringComparer.Ordinal);
                foreach (var item in list.Items)
                {
                    records[item.Key.Name] = ResourceIpamCollection<T>.Read(item);
                }

                lock (gate)
                {
                    // The list holds every write that finished before it began; later ones are watched.
                    synced = records;
                    ownWrites.Clear();
                    Interlocked.Increment(ref generation);
                }

                await foreach (var change in store.WatchAsync(Kind, list.Revision, cancellationToken).ConfigureAwait(false))
                {
                    Apply(change);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // Expired, the datastore unreachable, a record unreadable, whatever else: a view that
                // stopped following the store must never be served. Serve from the store until listed again.
                lock (gate)
                {
                    synced = null;
                    ownWrites.Clear();
                }

                try
                {
                    await Task.Delay(RetryAfter, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private void Apply(ResourceEvent change)
    {
        if (change.Resource is not { } resource || change.Type == ResourceEventType.Bookmark)
        {
            return;
        }

        var name = resource.Key.Name;
        var record = change.Type == ResourceEventType.Deleted ? null : ResourceIpamCollection<T>.Read(resource);
        lock (gate)
        {
            if (synced is null)
            {
                return;
            }

            if (record is null)
            {
                synced.Remove(name);
            }
            else
            {
                synced[name] = record;
            }

            // The watch has caught up with this process's write of the record.
            if (ownWrites.TryGetValue(name, out var own) && (own.Record is null ? record is null : own.Record.Revision == record?.Revision))
            {
                ownWrites.Remove(name);
            }

            Interlocked.Increment(ref generation);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync().ConfigureAwait(false);
        if (watching is not null)
        {
            try
            {
                await watching.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }

        stopping.Dispose();
    }
}
