using System.Collections.Concurrent;

namespace Routing.Ipam.Allocation;

/// <summary>
/// One async mutex per key (a block, a node), so the requests one allocator serves at once take
/// turns on the same record instead of failing each other's compare-and-swap: against a real
/// datastore, hundreds of writers retrying with backoff on one block cost far more than a queue.
/// Writers in other processes are still kept apart by compare-and-swap alone.
/// </summary>
internal sealed class KeyedLock
{
    // Never pruned: keys are blocks and nodes, a few thousand at most, each a small semaphore.
    private readonly ConcurrentDictionary<string, SemaphoreSlim> gates = new(StringComparer.Ordinal);

    public async ValueTask<Releaser> EnterAsync(string key, CancellationToken cancellationToken)
    {
        var gate = gates.GetOrAdd(key, static _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        return new Releaser(gate);
    }

    public readonly struct Releaser(SemaphoreSlim gate) : IDisposable
    {
        public void Dispose() => gate.Release();
    }
}
