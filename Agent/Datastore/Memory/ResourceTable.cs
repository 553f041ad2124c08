using Routing.Agent.Datastore.Store;

namespace Routing.Agent.Datastore.Memory;

/// <summary>
/// Resources held in memory with a log of their changes, numbered by a sequence of this table:
/// the core of the in-memory store and the file store (which loads files into one). Lists return
/// the sequence as their revision and watches resume from it; the log keeps the last
/// <see cref="HistoryLimit"/> changes, and a watch from before them is told to list again.
/// </summary>
public sealed class ResourceTable
{
    private readonly Lock gate = new();
    private readonly Dictionary<ResourceKey, StoredResource> resources = [];

    // The same resources by kind: a list of one kind (IPAM blocks, for every claim) does not walk
    // every other (thousands of handles).
    private readonly Dictionary<string, Dictionary<ResourceKey, StoredResource>> byKind = new(StringComparer.Ordinal);
    private readonly LinkedList<(long Sequence, ResourceEvent Event)> history = new();

    // Per kind, the signal its watches wait on and the last change of it the log forgot: a write
    // wakes only the watches of its own kind (an IPAM block's write, the pools' watch not), and a
    // watch expires only when a change of its own kind was forgotten.
    private readonly Dictionary<string, TaskCompletionSource> changed = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> forgottenOfKind = new(StringComparer.Ordinal);
    private long sequence;
    private long forgottenThrough;

    public ResourceTable(int historyLimit = 100_000)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(historyLimit, 1);
        HistoryLimit = historyLimit;
    }

    public int HistoryLimit { get; }

    public long Sequence
    {
        get
        {
            lock (gate)
            {
                return sequence;
            }
        }
    }

    public StoredResource? Get(ResourceKey key)
    {
        lock (gate)
        {
            return resources.GetValueOrDefault(key);
        }
    }

    public ResourceList List(string kind)
    {
        lock (gate)
        {
            var items = (byKind.TryGetValue(kind, out var ofKind) ? ofKind.Values : Enumerable.Empty<StoredResource>()).OrderBy(r => r.Key.Namespace, StringComparer.Ordinal)
                .ThenBy(r => r.Key.Name, StringComparer.Ordinal).ToArray();
            return new ResourceList(items, sequence.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    /// <summary>All resources, for writing them out.</summary>
    public IReadOnlyList<StoredResource> All()
    {
        lock (gate)
        {
            return [.. resources.Values];
        }
    }

    /// <summary>
    /// Runs a compare-and-swap decision against the current content and applies what it decides
    /// as one step.
    /// </summary>
    public T Change<T>(ResourceKey key, Func<StoredResource?, ResourceChange<T>> decide)
    {
        ArgumentNullException.ThrowIfNull(decide);
        lock (gate)
        {
            var change = decide(resources.GetValueOrDefault(key));
            if (change.Remove)
            {
                Remove(key);
            }
            else if (change.Json is not null)
            {
                Put(key, change.Json);
            }

            return change.Result;
        }
    }

    /// <summary>Makes the table hold exactly these resources (a file was read again); logs the differences.</summary>
    public void Replace(IEnumerable<(ResourceKey Key, string Json)> all, Func<ResourceKey, bool>? scope = null)
    {
        ArgumentNullException.ThrowIfNull(all);
        lock (gate)
        {
            var seen = new HashSet<ResourceKey>();
            foreach (var (key, json) in all)
            {
                seen.Add(key);
                if (!resources.TryGetValue(key, out var old) || old.Json != json)
                {
                    Put(key, json);
                }
            }

            foreach (var key in resources.Keys.Where(k => (scope is null || scope(k)) && !seen.Contains(k)).ToArray())
            {
                Remove(key);
            }
        }
    }

    public void Put(ResourceKey key, string json)
    {
        lock (gate)
        {
            var type = resources.ContainsKey(key) ? ResourceEventType.Modified : ResourceEventType.Added;
            var stored = new StoredResource(key, json, ResourceRevision.OfContent(json));
            resources[key] = stored;
            if (!byKind.TryGetValue(key.Kind, out var ofKind))
            {
                byKind[key.Kind] = ofKind = [];
            }

            ofKind[key] = stored;
            Log(type, stored);
        }
    }

    public bool Remove(ResourceKey key)
    {
        lock (gate)
        {
            if (!resources.Remove(key, out var old))
            {
                return false;
            }

            byKind[key.Kind].Remove(key);

            Log(ResourceEventType.Deleted, old);
            return true;
        }
    }

    private void Log(ResourceEventType type, StoredResource resource)
    {
        sequence++;
        history.AddLast((sequence, new ResourceEvent(type, resource, sequence.ToString(System.Globalization.CultureInfo.InvariantCulture))));
        while (history.Count > HistoryLimit)
        {
            var (forgotten, change) = history.First!.Value;
            forgottenOfKind[change.Resource!.Key.Kind] = forgotten;
            history.RemoveFirst();
        }

        if (changed.Remove(resource.Key.Kind, out var signal))
        {
            signal.TrySetResult();
        }
    }

    /// <summary>Forgets the changes up to and including a sequence: watches from before it must list again.</summary>
    public void ForgetThrough(string revision)
    {
        var through = long.Parse(revision, System.Globalization.CultureInfo.InvariantCulture);
        lock (gate)
        {
            while (history.First is { } first && first.Value.Sequence <= through)
            {
                history.RemoveFirst();
            }

            forgottenThrough = Math.Max(forgottenThrough, through);
        }
    }

    /// <summary>The changes to one kind after a sequence, in order, until cancelled.</summary>
    public async IAsyncEnumerable<ResourceEvent> WatchAsync(
        string kind, string afterRevision, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (!long.TryParse(afterRevision, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var after))
        {
            throw new ResourceStoreException(ResourceStoreError.Expired, null, $"watch {kind}: revision '{afterRevision}' is not one of this store's; list again");
        }

        while (true)
        {
            List<ResourceEvent> batch = [];
            Task wait;
            lock (gate)
            {
                if (after > sequence || after < forgottenThrough || forgottenOfKind.GetValueOrDefault(kind) > after)
                {
                    throw new ResourceStoreException(
                        ResourceStoreError.Expired, null, $"watch {kind}: revision {after} is no longer kept (oldest {history.First?.Value.Sequence ?? sequence}); list again");
                }

                for (var node = history.Last; node is not null && node.Value.Sequence > after; node = node.Previous)
                {
                    if (node.Value.Event.Resource!.Key.Kind == kind)
                    {
                        batch.Add(node.Value.Event);
                    }
                }

                after = sequence;
                if (!changed.TryGetValue(kind, out var signal))
                {
                    changed[kind] = signal = NewSignal();
                }

                wait = signal.Task;
            }

            for (var i = batch.Count - 1; i >= 0; i--)
            {
                yield return batch[i];
            }

            await wait.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
