using System.Runtime.ExceptionServices;
using System.Threading.Channels;
using Routing.Agent.Datastore.Store;

namespace Routing.Agent.Tests.Datastore.Kubernetes;

/// <summary>Runs a watch in the background and hands its events to the test one by one.</summary>
public sealed class WatchRecorder : IAsyncDisposable
{
    private readonly Channel<ResourceEvent> events = Channel.CreateUnbounded<ResourceEvent>();
    private readonly CancellationTokenSource stop = new();
    private readonly Task running;

    public WatchRecorder(IResourceStore store, string kind, string afterRevision)
    {
        running = Task.Run(async () =>
        {
            try
            {
                await foreach (var change in store.WatchAsync(kind, afterRevision, stop.Token))
                {
                    await events.Writer.WriteAsync(change);
                }

                events.Writer.TryComplete();
            }
            catch (Exception e)
            {
                events.Writer.TryComplete(e);
            }
        });
    }

    /// <summary>The next event, bookmarks included.</summary>
    public async Task<ResourceEvent> NextAsync(TimeSpan? timeout = null)
    {
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        try
        {
            return await events.Reader.ReadAsync(cancel.Token);
        }
        catch (ChannelClosedException e) when (e.InnerException is not null)
        {
            // The watch itself failed: the test sees its exception.
            ExceptionDispatchInfo.Throw(e.InnerException);
            throw;
        }
    }

    /// <summary>The next change, skipping bookmarks.</summary>
    public async Task<ResourceEvent> NextChangeAsync(TimeSpan? timeout = null)
    {
        while (true)
        {
            var change = await NextAsync(timeout);
            if (change.Type != ResourceEventType.Bookmark)
            {
                return change;
            }
        }
    }

    /// <summary>Nothing but bookmarks arrives within <paramref name="quiet"/>.</summary>
    public async Task AssertNoChangeAsync(TimeSpan quiet)
    {
        try
        {
            var change = await NextChangeAsync(quiet);
            Assert.Fail($"unexpected {change.Type} {change.Resource?.Key} at {change.Revision}");
        }
        catch (OperationCanceledException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        try
        {
            await running;
        }
        catch (OperationCanceledException)
        {
        }

        stop.Dispose();
    }
}
