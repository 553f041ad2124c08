using System.Collections.Concurrent;
using System.Threading.Channels;
using Routing.Agent.Datastore.Store;

namespace Routing.Agent.Dns.Cluster;

/// <summary>
/// Keeps the Service, EndpointSlice and Pod documents of a datastore current (a list, then a watch,
/// per kind; listed again when the watch expires or fails), and signals <see cref="Changes"/> after
/// each change. <see cref="Read"/> gives the names they make at that moment.
/// </summary>
public sealed class ClusterNamesFollower(IResourceStore store, TimeSpan retryDelay)
{
    public const string ServiceKind = "Service";
    public const string EndpointSliceKind = "EndpointSlice";
    public const string PodKind = "Pod";

    private readonly ConcurrentDictionary<ResourceKey, string> services = new();
    private readonly ConcurrentDictionary<ResourceKey, string> slices = new();
    private readonly ConcurrentDictionary<ResourceKey, string> pods = new();
    private readonly Channel<bool> changes = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private int synced;

    /// <summary>One item after any number of changes (coalesced), and one when every kind has first been listed.</summary>
    public ChannelReader<bool> Changes => changes.Reader;

    /// <summary>True once every kind has been listed.</summary>
    public bool Synced => Volatile.Read(ref synced) == 3;

    /// <summary>The last failure to read the datastore, for the log; null after a success.</summary>
    public event EventHandler<Exception>? Failed;

    public ClusterNamesRead Read() => ClusterNamesReader.Read(services.Values, slices.Values, pods.Values);

    public Task RunAsync(CancellationToken cancellationToken) => Task.WhenAll(
        FollowAsync(ServiceKind, services, cancellationToken),
        FollowAsync(EndpointSliceKind, slices, cancellationToken),
        FollowAsync(PodKind, pods, cancellationToken));

    private async Task FollowAsync(string kind, ConcurrentDictionary<ResourceKey, string> documents, CancellationToken cancellationToken)
    {
        var first = true;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var list = await store.ListAsync(kind, cancellationToken).ConfigureAwait(false);
                documents.Clear();
                foreach (var item in list.Items)
                {
                    documents[item.Key] = item.Json;
                }

                if (first)
                {
                    first = false;
                    Interlocked.Increment(ref synced);
                }

                changes.Writer.TryWrite(true);
                await foreach (var change in store.WatchAsync(kind, list.Revision, cancellationToken).ConfigureAwait(false))
                {
                    if (change.Resource is not { } resource)
                    {
                        continue;
                    }

                    if (change.Type == ResourceEventType.Deleted)
                    {
                        documents.TryRemove(resource.Key, out _);
                    }
                    else
                    {
                        documents[resource.Key] = resource.Json;
                    }

                    changes.Writer.TryWrite(true);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                if (!(e is ResourceStoreException { Error: ResourceStoreError.Expired }))
                {
                    Failed?.Invoke(this, e);
                    await Task.Delay(retryDelay, cancellationToken).ConfigureAwait(false);
                }
            }
        }
    }
}
