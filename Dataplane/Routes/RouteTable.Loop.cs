namespace Routing.Dataplane.Routes;

public sealed partial class RouteTable
{
    /// <summary>
    /// Keeps the kernel in step until <paramref name="cancellationToken"/> fires: applies at once,
    /// then whenever the desired routes change or a notification arrives (after
    /// <see cref="RouteTableOptions.CoalesceDelay"/>, so that a burst becomes one batch), when a
    /// refused request is due for another try, and every <see cref="RouteTableOptions.ResyncInterval"/>.
    /// The applies run on the calling thread: start it with Task.Run.
    /// </summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var time = options.TimeProvider;
        var nextResync = time.GetUtcNow() + options.ResyncInterval;
        var monitorAlive = changes is not null;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                TryApplyPending();

                var now = time.GetUtcNow();
                TimeSpan wait;
                lock (gate)
                {
                    var due = retryAt is { } r && r < nextResync ? r : nextResync;
                    wait = due > now ? due - now : TimeSpan.Zero;
                }

                monitorAlive = await WaitAsync(wait, monitorAlive, cancellationToken).ConfigureAwait(false);
                if (options.CoalesceDelay > TimeSpan.Zero)
                {
                    await Task.Delay(options.CoalesceDelay, time, cancellationToken).ConfigureAwait(false);
                }

                now = time.GetUtcNow();
                if (now >= nextResync)
                {
                    RequestResync();
                    nextResync = now + options.ResyncInterval;
                }

                lock (gate)
                {
                    if (retryAt is { } at && now >= at)
                    {
                        dirty.UnionWith(retry);
                        retry.Clear();
                        retryAt = null;
                    }
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>
    /// One apply; a failure of the whole batch (the socket, not a request: those are in the
    /// result) is logged and answered with a full resync after the retry delay, so the loop lives on.
    /// </summary>
    private void TryApplyPending()
    {
        try
        {
            ApplyPending();
        }
        catch (Exception e) when (e is Netlink.NetlinkException or Netlink.NetlinkOverflowException or Netlink.NetlinkProtocolException)
        {
            LogApplyFailed(e.Message);
            lock (gate)
            {
                resyncRequested = true;
                retryAt ??= options.TimeProvider.GetUtcNow() + options.RetryDelay;
            }
        }
    }

    /// <summary>Until something is signalled, a notification waits, or <paramref name="timeout"/> passes; false once the monitor has stopped.</summary>
    private async Task<bool> WaitAsync(TimeSpan timeout, bool monitorAlive, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Task signalled;
        lock (gate)
        {
            signalled = signal.Task;
        }

        var timer = Task.Delay(timeout, options.TimeProvider, stop.Token);
        var monitor = monitorAlive ? changes!.WaitToReadAsync(stop.Token).AsTask() : Task.FromResult(false);
        var first = await Task.WhenAny(monitorAlive ? [signalled, timer, monitor] : [signalled, timer]).ConfigureAwait(false);
        await stop.CancelAsync().ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        if (first == monitor && monitor.Status == TaskStatus.RanToCompletion && !monitor.Result)
        {
            // The monitor stopped: repairs now come only from periodic resyncs.
            LogMonitorStopped(changes!.Completion.Exception?.InnerException?.Message ?? "completed");
            monitorAlive = false;
        }

        lock (gate)
        {
            if (signal.Task.IsCompleted)
            {
                signal = NewSignal();
            }
        }

        return monitorAlive;
    }
}
