using System.Diagnostics;
using System.Net;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Routing.Agent.Datastore.Store;

namespace Routing.Agent.Datastore.Kubernetes;

public sealed partial class KubernetesResourceStore
{
    // Beyond the server-side timeout, how long a silent watch is trusted before it is treated as a dead connection.
    private static readonly TimeSpan WatchGrace = TimeSpan.FromSeconds(30);

    // A watch that ends empty sooner than this after it started did not work.
    private static readonly TimeSpan QuickEnd = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Watches one kind across all namespaces from <paramref name="afterRevision"/>: one watch
    /// request after another, each from the last resourceVersion seen (events and bookmarks alike),
    /// so a server-side timeout or a dropped connection loses and repeats nothing. A 410 Gone (as a
    /// response or as an ERROR event) means the server no longer has that history:
    /// <see cref="ResourceStoreError.Expired"/>.
    /// </summary>
    public async IAsyncEnumerable<ResourceEvent> WatchAsync(
        string kind, string afterRevision, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var resource = KubernetesKinds.Find(kind);
        ArgumentException.ThrowIfNullOrEmpty(afterRevision);
        var revision = afterRevision;
        var failures = 0;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var connection = await OpenWatchAsync(resource, revision, failures, cancellationToken).ConfigureAwait(false);
            if (connection is null)
            {
                failures++;
                await Task.Delay(Backoff(failures), cancellationToken).ConfigureAwait(false);
                continue;
            }

            var started = Stopwatch.GetTimestamp();
            var received = false;
            var failed = false;
            while (await connection.ReadAsync(cancellationToken).ConfigureAwait(false) is { } line)
            {
                var change = ReadEvent(resource, line);
                if (change is null)
                {
                    // A failure the server reported in the stream (not 410): watch again after a pause.
                    failed = true;
                    break;
                }

                received |= change.Type != ResourceEventType.Bookmark;
                revision = change.Revision;
                yield return change;
            }

            // A stream that ends at once with no change in it (a proxy closing it, say) is a failure
            // too, or the store would ask again in a tight loop; a quiet stream that ran its course is not.
            failures = failed || (!received && Stopwatch.GetElapsedTime(started) < QuickEnd) ? failures + 1 : 0;
            if (failures > 0)
            {
                await Task.Delay(Backoff(failures), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Starts one watch request; null after a failure worth retrying (unreachable, 5xx, 429) while
    /// fewer than <see cref="KubernetesStoreOptions.MaxWatchAttempts"/> attempts in a row have failed.
    /// </summary>
    private async Task<WatchConnection?> OpenWatchAsync(KubernetesApiResource resource, string revision, int failures, CancellationToken cancellationToken)
    {
        var seconds = (int)options.WatchTimeout.TotalSeconds;
        var path = $"{resource.CollectionPath()}?watch=1&resourceVersion={Uri.EscapeDataString(revision)}&allowWatchBookmarks=true&timeoutSeconds={seconds}";
        var request = NewRequest(HttpMethod.Get, path, null);
        var lifetime = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        lifetime.CancelAfter(options.WatchTimeout + WatchGrace);
        HttpResponseMessage? response = null;
        var lastAttempt = failures + 1 >= options.MaxWatchAttempts;
        try
        {
            response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, lifetime.Token).ConfigureAwait(false);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                var stream = await response.Content.ReadAsStreamAsync(lifetime.Token).ConfigureAwait(false);
                var connection = new WatchConnection(request, response, lifetime, stream);
                (request, response, lifetime) = (null!, null, null!);
                return connection;
            }

            var body = await response.Content.ReadAsStringAsync(lifetime.Token).ConfigureAwait(false);
            var retry = response.StatusCode is HttpStatusCode.TooManyRequests || (int)response.StatusCode >= 500;
            return retry && !lastAttempt ? null : throw ApiErrors.ToException("watch", resource, null, response.StatusCode, body);
        }
        catch (HttpRequestException) when (!lastAttempt)
        {
            return null;
        }
        catch (HttpRequestException e)
        {
            throw Unreachable("watch", resource, null, e);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && !lastAttempt)
        {
            return null;
        }
        finally
        {
            response?.Dispose();
            request?.Dispose();
            lifetime?.Dispose();
        }
    }

    /// <summary>The change one line of the stream carries; null for an ERROR event to retry after.</summary>
    private static ResourceEvent? ReadEvent(KubernetesApiResource resource, string line)
    {
        WatchEventEnvelope envelope;
        try
        {
            envelope = JsonSerializer.Deserialize(line, KubernetesJsonContext.Default.WatchEventEnvelope)
                ?? throw new KubernetesApiException($"kubernetes: watch {resource.Kind}: an empty event");
        }
        catch (JsonException e)
        {
            throw new KubernetesApiException($"kubernetes: watch {resource.Kind}: an event that is not JSON: {e.Message}", e);
        }

        switch (envelope.Type)
        {
            case "ADDED":
                return Change(ResourceEventType.Added);
            case "MODIFIED":
                return Change(ResourceEventType.Modified);
            case "DELETED":
                return Change(ResourceEventType.Deleted);
            case "BOOKMARK":
                // Only metadata.resourceVersion is meaningful in a bookmark's object.
                var revision = envelope.Object.TryGetProperty("metadata", out var metadata) ? String(metadata, "resourceVersion") : null;
                return new ResourceEvent(ResourceEventType.Bookmark, null,
                    revision ?? throw new KubernetesApiException($"kubernetes: watch {resource.Kind}: a bookmark without metadata.resourceVersion"));
            case "ERROR":
                var status = ApiErrors.ParseStatus(envelope.Object);
                if (status?.Code == (int)HttpStatusCode.Gone)
                {
                    throw new ResourceStoreException(ResourceStoreError.Expired, null,
                        $"{resource.Kind}: the revision the watch resumes from is no longer kept; list again (Kubernetes: {status.Reason}: {status.Message})");
                }

                if (status?.Code is >= 500 or 429)
                {
                    return null;
                }

                throw new KubernetesApiException(
                    $"kubernetes: watch {resource.Kind} failed: {status?.Code} {status?.Reason}: {status?.Message ?? envelope.Object.GetRawText()}",
                    status?.Code is { } code ? (HttpStatusCode)code : null, status?.Reason);
            default:
                throw new KubernetesApiException($"kubernetes: watch {resource.Kind}: unknown event type '{envelope.Type}'");
        }

        ResourceEvent Change(ResourceEventType type)
        {
            var stored = ToStored(resource, envelope.Object);
            return new ResourceEvent(type, stored, stored.Revision);
        }
    }

    private TimeSpan Backoff(int failures)
    {
        var delay = options.RetryDelay * Math.Pow(2, Math.Min(failures - 1, 16));
        return delay < options.MaxRetryDelay ? delay : options.MaxRetryDelay;
    }
}
