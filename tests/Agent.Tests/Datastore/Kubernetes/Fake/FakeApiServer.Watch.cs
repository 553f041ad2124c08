using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Routing.Agent.Tests.Datastore.Kubernetes.Fake;

public sealed partial class FakeApiServer
{
    /// <summary>
    /// A watch response: 200, then one JSON event per line, flushed as it happens, until
    /// <c>timeoutSeconds</c> (the response then ends cleanly), the client goes away or the test
    /// drops it. A compacted resourceVersion gets a 410 ERROR event, as the API server sends it.
    /// </summary>
    private async Task WatchAsync(HttpContext context, FakeResourceType type, string ns)
    {
        var query = context.Request.Query;
        long? from = long.TryParse(query["resourceVersion"], NumberStyles.None, CultureInfo.InvariantCulture, out var rv) && rv > 0 ? rv : null;
        var bookmarks = query["allowWatchBookmarks"] is ["true" or "1"];
        var timeout = Int(query["timeoutSeconds"]) is { } seconds && TimeSpan.FromSeconds(seconds) < MaxWatchTimeout
            ? TimeSpan.FromSeconds(seconds)
            : MaxWatchTimeout;

        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/json";
        var watcher = Store.Watch(type, ns, from, bookmarks, out var error);
        if (watcher is null)
        {
            await WriteEventAsync(context, new FakeWatchItem("ERROR", error!));
            return;
        }

        using var end = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        end.CancelAfter(timeout);
        watcher.End = () => end.Cancel();
        watcher.Abort = () =>
        {
            Store.StopWatching(watcher);
            context.Abort();
        };
        using var ticker = BookmarkInterval is { } interval && bookmarks ? new Timer(_ => Store.Bookmark(watcher), null, interval, interval) : null;
        try
        {
            await context.Response.StartAsync(end.Token);
            await context.Response.Body.FlushAsync(end.Token);
            await SendQueuedAsync(context, watcher, end.Token);
        }
        catch (OperationCanceledException) when (!context.RequestAborted.IsCancellationRequested && bookmarks)
        {
            // The server-side timeout: like kube-apiserver, tell a watcher that takes bookmarks how
            // far it got before closing, so that it resumes from there.
            Store.Bookmark(watcher);
            await SendQueuedAsync(context, watcher, CancellationToken.None);
        }
        catch (OperationCanceledException)
        {
        }
        catch (IOException)
        {
        }
        finally
        {
            Store.StopWatching(watcher);
        }
    }

    /// <summary>Writes what is queued, then waits for more until <paramref name="cancellationToken"/>; with none, only what is queued.</summary>
    private static async Task SendQueuedAsync(HttpContext context, FakeWatcher watcher, CancellationToken cancellationToken)
    {
        do
        {
            while (watcher.Queue.Reader.TryRead(out var item))
            {
                await WriteEventAsync(context, item);
            }
        }
        while (cancellationToken.CanBeCanceled && await watcher.Queue.Reader.WaitToReadAsync(cancellationToken));
    }

    private static async Task WriteEventAsync(HttpContext context, FakeWatchItem item)
    {
        var line = new JsonObject { ["type"] = item.Type, ["object"] = item.Body }.ToJsonString() + "\n";
        await context.Response.WriteAsync(line, context.RequestAborted);
        await context.Response.Body.FlushAsync(context.RequestAborted);
    }
}
