using System.Globalization;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Routing.Agent.Datastore.Etcd.Rpc;
using Routing.Agent.Datastore.Store;

namespace Routing.Agent.Datastore.Etcd;

public sealed partial class EtcdResourceStore
{
    public async IAsyncEnumerable<ResourceEvent> WatchAsync(string kind, string afterRevision, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var prefix = EtcdKeys.Prefix(kind);
        ArgumentNullException.ThrowIfNull(afterRevision);
        if (!long.TryParse(afterRevision, NumberStyles.None, CultureInfo.InvariantCulture, out var after))
        {
            throw new ArgumentException($"'{afterRevision}' is not an etcd revision (a decimal number from this store)", nameof(afterRevision));
        }

        // Every event up to `next - 1` has been handed out; a new stream starts at `next`, so a
        // reconnection neither skips nor repeats (etcd sends a revision's events in one response).
        var next = after + 1;
        var retryDelay = client.Options.RetryDelay;
        EtcdWatchStream? stream = null;
        try
        {
            while (true)
            {
                WatchResponse? response = null;
                string? lost = null;
                try
                {
                    stream ??= await client.WatchAsync(Create(prefix, next), cancellationToken).ConfigureAwait(false);
                    response = await stream.ReadAsync().ConfigureAwait(false);
                    lost = response is null ? $"etcd at {stream.Endpoint} ended the watch" : null;
                }
                catch (Exception e) when (!cancellationToken.IsCancellationRequested && EtcdFailure.IsTransient(e))
                {
                    lost = stream is null ? e.Message : EtcdFailure.Describe(stream.Endpoint.Address, e, client.Options.RequestTimeout);
                }
                catch (Api.Grpc.GrpcStatusException e) when (stream is not null)
                {
                    throw new IOException(EtcdFailure.Describe(stream.Endpoint.Address, e, client.Options.RequestTimeout), e);
                }

                if (lost is not null)
                {
                    Log.WatchLost(logger, kind, lost, next);
                    if (stream is not null)
                    {
                        await stream.DisposeAsync().ConfigureAwait(false);
                        stream = null;
                    }

                    await Task.Delay(retryDelay, cancellationToken).ConfigureAwait(false);
                    retryDelay = TimeSpan.FromTicks(Math.Min(retryDelay.Ticks * 2, client.Options.MaxRetryDelay.Ticks));
                    continue;
                }

                retryDelay = client.Options.RetryDelay;
                var endpoint = stream!.Endpoint;
                if (response!.CompactRevision != 0)
                {
                    throw new ResourceStoreException(
                        ResourceStoreError.Expired,
                        null,
                        $"etcd at {endpoint} no longer keeps revision {next} of {kind} (compacted up to {response.CompactRevision}); list again");
                }

                if (response.Canceled)
                {
                    throw new IOException($"etcd at {endpoint} cancelled the watch of {kind} at revision {next}: {response.CancelReason}");
                }

                if (response.Events.Count == 0)
                {
                    // A progress notification: this watcher has seen every change up to the header's revision.
                    if (!response.Created && response.Header.Revision >= next)
                    {
                        next = response.Header.Revision + 1;
                        yield return new ResourceEvent(ResourceEventType.Bookmark, null, Format(response.Header.Revision));
                    }

                    continue;
                }

                var first = next;
                foreach (var change in response.Events)
                {
                    if (change.Kv.ModRevision >= first && ToEvent(kind, change) is { } resourceEvent)
                    {
                        yield return resourceEvent;
                    }

                    next = Math.Max(next, change.Kv.ModRevision + 1);
                }
            }
        }
        finally
        {
            if (stream is not null)
            {
                await stream.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private static WatchRequest Create(Google.Protobuf.ByteString prefix, long start) => new()
    {
        CreateRequest = new WatchCreateRequest
        {
            Key = prefix,
            RangeEnd = EtcdKeys.RangeEnd(prefix),
            StartRevision = start,
            ProgressNotify = true,
            PrevKv = true,
        },
    };

    /// <summary>The resource event of an etcd event; null for a key Routing did not write.</summary>
    private static ResourceEvent? ToEvent(string kind, Event change)
    {
        if (!EtcdKeys.TryParse(kind, change.Kv.Key, out var key))
        {
            return null;
        }

        var revision = Format(change.Kv.ModRevision);
        if (change.Type == Event.Types.EventType.Delete)
        {
            // The deleted resource's last state, when etcd still had it; the key alone otherwise.
            var last = change.PrevKv is { } prev ? Resource(key.Value, prev) : new StoredResource(key.Value, "", revision);
            return new ResourceEvent(ResourceEventType.Deleted, last, revision);
        }

        var type = change.Kv.CreateRevision == change.Kv.ModRevision ? ResourceEventType.Added : ResourceEventType.Modified;
        return new ResourceEvent(type, Resource(key.Value, change.Kv), revision);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 10, Level = LogLevel.Warning, Message = "Watch of {Kind} lost: {Reason}; resuming from revision {Revision}")]
        public static partial void WatchLost(ILogger logger, string kind, string reason, long revision);
    }
}
