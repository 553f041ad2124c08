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
        try
        {
            await context.Response.StartAsync(end.Token);
            await context.Response.Body.FlushAsync(end.Token);
            while (await watcher.Queue.Reader.WaitToReadAsync(end.Token))
            {
                while (watcher.Queue.Reader.TryRead(out var item))
                {
                    await WriteEventAsync(context, item);
                }
            }
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

    private static async Task WriteEventAsync(HttpContext context, FakeWatchItem item)
    {
        var line = new JsonObject { ["type"] = item.Type, ["object"] = item.Body }.ToJsonString() + "\n";
        await context.Response.WriteAsync(line, context.RequestAborted);
        await context.Response.Body.FlushAsync(context.RequestAborted);
    }
}
