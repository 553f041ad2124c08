using Routing.Agent.Datastore.Store;

namespace Routing.Agent.Tests.Datastore;

/// <summary>
/// Runs one watch in the background and keeps what it saw, so a test can change the store (or
/// restart it) while the watch runs, then wait for a number of events or for the watch to fail.
/// </summary>
internal sealed class WatchRecorder : IAsyncDisposable
{
    private readonly CancellationTokenSource stop = new();
    private readonly List<ResourceEvent> changes = [];
    private readonly List<ResourceEvent> bookmarks = [];
    private readonly Lock gate = new();
    private readonly Task run;

    public WatchRecorder(IResourceStore store, string kind, string afterRevision)
    {
        run = Task.Run(async () =>
        {
            await foreach (var change in store.WatchAsync(kind, afterRevision, stop.Token))
            {
                lock (gate)
                {
                    (change.Type == ResourceEventType.Bookmark ? bookmarks : changes).Add(change);
                }
            }
        });
    }

    /// <summary>Ends when the watch ends: only with an error or on dispose, for a conforming store.</summary>
    public Task Completion => run;

    public IReadOnlyList<ResourceEvent> Changes
    {
        get
        {
            lock (gate)
            {
                return [.. changes];
            }
        }
    }

    public IReadOnlyList<ResourceEvent> Bookmarks
    {
        get
        {
            lock (gate)
            {
                return [.. bookmarks];
            }
        }
    }

    /// <summary>The first <paramref name="count"/> changes (not bookmarks), once there are that many.</summary>
    public async Task<IReadOnlyList<ResourceEvent>> WaitForChangesAsync(int count, TimeSpan? patience = null)
    {
        await WaitUntilAsync(() => Changes.Count >= count, $"{count} changes", patience);
        return Changes.Take(count).ToList();
    }

    public async Task WaitUntilAsync(Func<bool> condition, string what, TimeSpan? patience = null)
    {
        var deadline = DateTime.UtcNow + (patience ?? TimeSpan.FromSeconds(10));
        while (!condition())
        {
            if (run.IsCompleted)
            {
                await run;
                Assert.Fail($"the watch ended before {what}; it saw {Describe(Changes)}");
            }

            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"waited in vain for {what}; the watch saw {Describe(Changes)}");
            }

            await Task.Delay(20);
        }
    }

    public static string Describe(IEnumerable<ResourceEvent> events) =>
        "[" + string.Join(", ", events.Select(e => $"{e.Type} {e.Resource?.Key.Name} @{e.Revision}")) + "]";

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        try
        {
            await run;
        }
        catch (OperationCanceledException)
        {
        }
        catch (ResourceStoreException)
        {
            // A test that expected the watch to fail has looked at Completion already.
        }

        stop.Dispose();
    }
}
