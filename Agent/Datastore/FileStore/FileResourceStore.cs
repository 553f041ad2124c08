using System.Text.Json;
using Routing.Agent.Datastore.Memory;
using Routing.Agent.Datastore.Store;
using Routing.Agent.Resources;

namespace Routing.Agent.Datastore.FileStore;

/// <summary>
/// The <c>file:PATH</c> datastore as an <see cref="IResourceStore"/>. Resources an admin writes
/// (nodes, peers, pools, policies) live in the YAML file at PATH; those the agent writes (IPAM
/// blocks, affinities, handles) in a journal beside it, <c>PATH.state</c>. Several processes may
/// open one store (the agent and the CLI): writes hold a lock on <c>PATH.lock</c> and every
/// operation first catches up with what the others wrote. Revisions are content hashes, so
/// compare-and-swap works across processes; list revisions are this instance's own sequence.
/// </summary>
public sealed partial class FileResourceStore : IResourceStore
{
    /// <summary>The kinds written by the agent, kept in the journal rather than in the admin's file.</summary>
    public static IReadOnlySet<string> StateKinds { get; } =
        new HashSet<string>(StringComparer.Ordinal) { ResourceKinds.IpamBlock, ResourceKinds.BlockAffinity, ResourceKinds.IpamHandle };

    private readonly ResourceTable table;
    private readonly ResourceFileDocuments file;
    private readonly StateJournal journal;
    private readonly PathLock pathLock;
    private readonly TimeSpan pollInterval;
    private readonly CancellationTokenSource stopping = new();
    private readonly Lock pollerGate = new();
    private Task? poller;

    public FileResourceStore(string path, TimeSpan? pollInterval = null, int historyLimit = 100_000)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Path = System.IO.Path.GetFullPath(path);
        table = new ResourceTable(historyLimit);
        file = new ResourceFileDocuments(Path);
        journal = new StateJournal(Path + ".state");
        pathLock = PathLock.For(Path);
        this.pollInterval = pollInterval ?? TimeSpan.FromMilliseconds(100);
    }

    public string Path { get; }

    public async Task<StoredResource?> GetAsync(ResourceKey key, CancellationToken cancellationToken = default)
    {
        using (await pathLock.EnterAsync(cancellationToken).ConfigureAwait(false))
        {
            CatchUp(key.Kind);
            return table.Get(key);
        }
    }

    public async Task<ResourceList> ListAsync(string kind, CancellationToken cancellationToken = default)
    {
        using (await pathLock.EnterAsync(cancellationToken).ConfigureAwait(false))
        {
            CatchUp(kind);
            return table.List(kind);
        }
    }

    public Task<StoredResource> CreateAsync(ResourceKey key, string json, CancellationToken cancellationToken = default) =>
        WriteAsync(key, Canonical(key, json), current =>
        {
            if (current is not null)
            {
                throw new ResourceStoreException(ResourceStoreError.AlreadyExists, key, $"{key} already exists");
            }
        }, cancellationToken)!;

    public Task<StoredResource> UpdateAsync(ResourceKey key, string json, string expectedRevision, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(expectedRevision);
        return WriteAsync(key, Canonical(key, json), current =>
        {
            if (current is null)
            {
                throw new ResourceStoreException(ResourceStoreError.NotFound, key, $"{key} does not exist");
            }

            if (current.Revision != expectedRevision)
            {
                throw Conflict(key, expectedRevision, current);
            }
        }, cancellationToken)!;
    }

    public async Task<bool> DeleteAsync(ResourceKey key, string? expectedRevision = null, CancellationToken cancellationToken = default)
    {
        var found = true;
        await WriteAsync(key, null, current =>
        {
            found = current is not null;
            if (current is not null && expectedRevision is not null && current.Revision != expectedRevision)
            {
                throw Conflict(key, expectedRevision, current);
            }
        }, cancellationToken).ConfigureAwait(false);
        return found;
    }

    public IAsyncEnumerable<ResourceEvent> WatchAsync(string kind, string afterRevision, CancellationToken cancellationToken = default)
    {
        lock (pollerGate)
        {
            poller ??= Task.Run(() => PollAsync(stopping.Token), CancellationToken.None);
        }

        return table.WatchAsync(kind, afterRevision, cancellationToken);
    }

    /// <summary>
    /// Under the cross-process lock: catch up, let <paramref name="check"/> refuse (by throwing),
    /// write the document (or delete it: null) to disk, then to the table.
    /// </summary>
    private async Task<StoredResource?> WriteAsync(ResourceKey key, string? json, Action<StoredResource?> check, CancellationToken cancellationToken)
    {
        using (await pathLock.EnterExclusiveAsync(cancellationToken).ConfigureAwait(false))
        {
            CatchUp(key.Kind);
            var current = table.Get(key);
            check(current);
            if (json is null && current is null)
            {
                return null;
            }

            var state = StateKinds.Contains(key.Kind);
            if (state)
            {
                journal.Append(key, json);
            }
            else
            {
                // The file's YAML gives back the JSON that is stored, so that re-reading it changes nothing.
                json = file.Write(key, json);
            }

            if (json is null)
            {
                table.Remove(key);
            }
            else
            {
                table.Put(key, json);
            }

            if (state)
            {
                // Only now: the rewritten journal is the table, which must already hold this write.
                journal.CompactIfWorthIt(() => table.All().Where(r => StateKinds.Contains(r.Key.Kind)));
            }

            return json is null ? null : table.Get(key);
        }
    }

    /// <summary>
    /// Reads what other processes wrote. An operation on a journal kind (every IPAM allocation)
    /// reads only the journal: the resource file, whose check costs a stat and, for a few seconds
    /// after each change, a whole re-read, cannot hold it; the poller keeps that side fresh.
    /// </summary>
    private void CatchUp(string? kind = null)
    {
        if ((kind is null || !StateKinds.Contains(kind)) && file.ReadIfChanged() is { } documents)
        {
            table.Replace(documents, k => !StateKinds.Contains(k.Kind));
        }

        var (reload, entries) = journal.ReadChanges();
        if (reload)
        {
            var state = new Dictionary<ResourceKey, string>();
            foreach (var entry in entries)
            {
                if (entry.Json is null)
                {
                    state.Remove(entry.Key);
                }
                else
                {
                    state[entry.Key] = entry.Json;
                }
            }

            table.Replace(state.Select(p => (p.Key, p.Value)), k => StateKinds.Contains(k.Kind));
            return;
        }

        foreach (var entry in entries)
        {
            if (entry.Json is null)
            {
                table.Remove(entry.Key);
            }
            else if (table.Get(entry.Key)?.Json != entry.Json)
            {
                table.Put(entry.Key, entry.Json);
            }
        }
    }

    private async Task PollAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(pollInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                try
                {
                    using (await pathLock.EnterAsync(cancellationToken).ConfigureAwait(false))
                    {
                        CatchUp();
                    }
                }
                catch (IOException)
                {
                    // A file mid-replacement or unreadable for a moment: the next tick reads it again.
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    // The JSON as stored: compact, one line, and naming the key it is written under.
    private static string Canonical(ResourceKey key, string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        if (CompactDocument.TryRead(json, out var stated) && stated == key)
        {
            return json;
        }

        string compact;
        try
        {
            using var document = JsonDocument.Parse(json);
            compact = JsonSerializer.Serialize(document.RootElement, StoreJsonContext.Default.JsonElement);
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"{key}: not a JSON document: {e.Message}", nameof(json), e);
        }

        var named = ResourceFileDocuments.KeyOf(compact);
        return named == key ? compact : throw new ArgumentException($"the document names {named}, not {key}", nameof(json));
    }

    /// <summary>Forgets this instance's change log up to a list revision: for tests of watch expiry.</summary>
    internal void ForgetThrough(string revision) => table.ForgetThrough(revision);

    private static ResourceStoreException Conflict(ResourceKey key, string expected, StoredResource current) =>
        new(ResourceStoreError.Conflict, key, $"{key} changed since it was read (revision {expected}, now {current.Revision}); read it again");

    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync().ConfigureAwait(false);
        if (poller is not null)
        {
            await poller.ConfigureAwait(false);
        }

        stopping.Dispose();
        journal.Dispose();
    }
}
