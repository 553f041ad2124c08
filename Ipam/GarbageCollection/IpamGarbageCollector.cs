using System.Net;
using Routing.Ipam.Allocation;
using Routing.Ipam.Store;

namespace Routing.Ipam.GarbageCollection;

/// <summary>
/// Frees addresses whose owner is gone (a pod deleted while the CNI DEL never ran). An address is
/// a leak candidate when its handle is not among the live ones; it is released only when a later
/// pass, a grace period on, still finds the same allocation (same handle and sequence number)
/// without a live owner. The grace period covers a pod that is being created: its addresses are
/// allocated before the caller's view of pods shows it. The release carries the sequence number,
/// so an address handed out again in between is never freed. Run passes one at a time.
/// </summary>
public sealed class IpamGarbageCollector
{
    public static readonly TimeSpan DefaultGracePeriod = TimeSpan.FromMinutes(15);

    private readonly IIpamStore store;
    private readonly IpamAllocator allocator;
    private readonly TimeProvider time;
    private readonly TimeSpan gracePeriod;
    private readonly Dictionary<(IPAddress Address, string HandleId, ulong SequenceNumber), DateTimeOffset> candidates = [];

    public IpamGarbageCollector(IIpamStore store, IpamAllocator allocator, TimeProvider? time = null, TimeSpan? gracePeriod = null)
    {
        this.store = store ?? throw new ArgumentNullException(nameof(store));
        this.allocator = allocator ?? throw new ArgumentNullException(nameof(allocator));
        this.time = time ?? TimeProvider.System;
        this.gracePeriod = gracePeriod ?? DefaultGracePeriod;
    }

    /// <summary>One pass: <paramref name="liveHandles"/> are the handles whose owners exist (the pods, the nodes' tunnel addresses).</summary>
    public async Task<GarbageCollectionReport> CollectAsync(IReadOnlySet<string> liveHandles, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(liveHandles);
        var now = time.GetUtcNow();
        var seen = new HashSet<(IPAddress, string, ulong)>();
        var due = new List<AddressRelease>();
        foreach (var block in await store.Blocks.ListAsync(cancellationToken).ConfigureAwait(false))
        {
            foreach (var allocation in block.Value.EnumerateAllocations())
            {
                // An allocation without a handle cannot be tied to an owner: left for a person (the checker reports it).
                if (allocation.HandleId is not { } handle || liveHandles.Contains(handle))
                {
                    continue;
                }

                var key = (allocation.Address, handle, allocation.SequenceNumber);
                seen.Add(key);
                if (!candidates.TryGetValue(key, out var since))
                {
                    candidates[key] = now;
                }
                else if (now - since >= gracePeriod)
                {
                    due.Add(new AddressRelease(allocation.Address, allocation.SequenceNumber));
                }
            }
        }

        // Forget candidates that were released or found an owner since.
        foreach (var key in candidates.Keys.Where(k => !seen.Contains(k)).ToList())
        {
            candidates.Remove(key);
        }

        var released = await allocator.ReleaseAsync(due, cancellationToken).ConfigureAwait(false);
        foreach (var allocation in released)
        {
            candidates.Remove((allocation.Address, allocation.HandleId!, allocation.SequenceNumber));
        }

        return new GarbageCollectionReport(
            [.. candidates.Select(c => new LeakCandidate(c.Key.Address, c.Key.HandleId, c.Key.SequenceNumber, c.Value)).OrderBy(c => c.FirstSeen)],
            released);
    }
}
