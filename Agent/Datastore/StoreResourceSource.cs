using System.Text;
using System.Threading.Channels;
using Routing.Agent.Datastore.Store;
using Routing.Agent.Resources;

namespace Routing.Agent.Datastore;

/// <summary>
/// The agent's resources read from an <see cref="IResourceStore"/> (etcd, Kubernetes): every kind
/// the calculations use is listed, then watched; any change reads them all again (they are few and
/// small) after a short pause that gathers a burst into one set. Each stored document is checked as
/// <see cref="ResourceFile"/> checks a file's, naming the resource; a set with a problem is rejected
/// whole and the last good one stays in force, as with an invalid edit of a file.
/// </summary>
public sealed class StoreResourceSource : IResourceSource
{
    /// <summary>The kinds the agent's calculations read (IPAM's own records are read by IPAM).</summary>
    public static IReadOnlyList<string> Kinds { get; } =
        [ResourceKinds.BgpConfiguration, ResourceKinds.RoutingNode, ResourceKinds.BgpPeer, ResourceKinds.IPPool, ResourceKinds.GlobalNetworkPolicy];

    private readonly IResourceStore store;
    private readonly TimeSpan settle;
    private readonly Channel<ResourceSet> updates =
        Channel.CreateBounded<ResourceSet>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropOldest, SingleWriter = true });
    private readonly Channel<bool> changes =
        Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly CancellationTokenSource stopping = new();
    private readonly List<Task> loops = [];
    private volatile ResourceSet current;
    private string? lastRejected;

    private StoreResourceSource(IResourceStore store, string description, ResourceSet initial, TimeSpan settle)
    {
        this.store = store;
        this.settle = settle;
        Description = description;
        current = initial;
        updates.Writer.TryWrite(initial);
    }

    public string Description { get; }

    public ResourceSet Current => current;

    public ChannelReader<ResourceSet> Updates => updates.Reader;

    public event EventHandler<ResourceSetRejectedEventArgs>? Rejected;

    /// <summary>Reads the resources and starts watching them; the store stays the caller's.</summary>
    /// <exception cref="ResourceValidationException">The stored resources have problems; all are listed.</exception>
    public static async Task<StoreResourceSource> OpenAsync(IResourceStore store, string description, TimeSpan? settle = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        var (set, revisions) = await ReadAsync(store, description, cancellationToken).ConfigureAwait(false);
        var source = new StoreResourceSource(store, description, set, settle ?? TimeSpan.FromMilliseconds(50));
        source.Start(revisions);
        return source;
    }

    private void Start(IReadOnlyDictionary<string, string> revisions)
    {
        var token = stopping.Token;
        foreach (var kind in Kinds)
        {
            loops.Add(Task.Run(() => WatchKindAsync(kind, revisions[kind], token), token));
        }

        loops.Add(Task.Run(() => RereadAsync(token), token));
    }

    private async Task WatchKindAsync(string kind, string revision, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await foreach (var change in store.WatchAsync(kind, revision, cancellationToken).ConfigureAwait(false))
                {
                    revision = change.Revision;
                    changes.Writer.TryWrite(true);
                }
            }
            catch (ResourceStoreException e) when (e.Error == ResourceStoreError.Expired)
            {
                // Fell behind the store's history: read everything again and watch from there.
                revision = (await store.ListAsync(kind, cancellationToken).ConfigureAwait(false)).Revision;
                changes.Writer.TryWrite(true);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                Rejected?.Invoke(this, new ResourceSetRejectedEventArgs(new IOException($"watching {kind} in {Description}: {e.Message}", e), current));
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task RereadAsync(CancellationToken cancellationToken)
    {
        await foreach (var change in changes.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            await Task.Delay(settle, cancellationToken).ConfigureAwait(false);
            changes.Reader.TryRead(out var _);
            try
            {
                var (set, _) = await ReadAsync(store, Description, cancellationToken).ConfigureAwait(false);
                lastRejected = null;
                if (!set.Equals(current))
                {
                    current = set;
                    updates.Writer.TryWrite(set);
                }
            }
            catch (Exception e) when (e is ResourceValidationException or ResourceStoreException or IOException)
            {
                // Reported once per distinct problem, as the file datastore does per distinct content.
                if (e.Message != lastRejected)
                {
                    lastRejected = e.Message;
                    Rejected?.Invoke(this, new ResourceSetRejectedEventArgs(e, current));
                }
            }
        }
    }

    private static async Task<(ResourceSet Set, IReadOnlyDictionary<string, string> Revisions)> ReadAsync(IResourceStore store, string description, CancellationToken cancellationToken)
    {
        var revisions = new Dictionary<string, string>();
        var text = new StringBuilder();
        List<ResourceError> errors = [];
        foreach (var kind in Kinds)
        {
            var list = await store.ListAsync(kind, cancellationToken).ConfigureAwait(false);
            revisions[kind] = list.Revision;
            foreach (var resource in list.Items)
            {
                // JSON is YAML: each document is checked alone first, so a problem names its resource.
                if (!ResourceFile.TryParse(resource.Json, $"{description} {resource.Key}", out _, out var problems))
                {
                    errors.AddRange(problems);
                    continue;
                }

                text.Append("---\n").Append(resource.Json).Append('\n');
            }
        }

        if (errors.Count > 0)
        {
            throw new ResourceValidationException(errors);
        }

        return (ResourceFile.Parse(text.ToString(), description), revisions);
    }

    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync().ConfigureAwait(false);
        foreach (var loop in loops)
        {
            try
            {
                await loop.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }

        updates.Writer.TryComplete();
        stopping.Dispose();
    }
}
