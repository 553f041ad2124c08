using System.Collections.Concurrent;
using System.Net;
using Routing.Ipam.Addresses;
using Routing.Ipam.Blocks;
using Routing.Ipam.Handles;
using Routing.Ipam.Store;

namespace Routing.Ipam.Allocation;

public sealed partial class IpamAllocator
{
    private readonly ConcurrentDictionary<string, BlockBatch> batches = new(StringComparer.Ordinal);

    // Each block as this allocator last wrote it: the next batch writes on top of it without reading
    // it first. The compare-and-swap refuses the write if anyone changed the block since (an attempt
    // like any other that lost a race: read again after the backoff).
    private readonly ConcurrentDictionary<string, Versioned<AllocationBlock>> lastWritten = new(StringComparer.Ordinal);

    /// <summary>
    /// Queues <paramref name="work"/> (allocations or releases) for the block; the first to find no
    /// batch being written starts serving the queue, in turns, until it is empty. One read and one
    /// compare-and-swap of the block then serve every request that arrived meanwhile: a busy node's
    /// pods share block writes instead of queueing for one each (each a datastore round trip and, on
    /// etcd, a sync to disk).
    /// </summary>
    private async Task<IReadOnlyList<BlockAllocation>> SubmitAsync(IPNetwork cidr, BlockWork work)
    {
        var batch = batches.GetOrAdd(BlockCidr.NameOf(cidr), static _ => new BlockBatch());
        if (batch.Add(work))
        {
            // Served apart from this request's caller, which then waits no longer than its own batch.
            _ = Task.Run(() => ServeQueueAsync(cidr, batch), CancellationToken.None);
        }

        return await work.Done.Task.ConfigureAwait(false);
    }

    private async Task ServeQueueAsync(IPNetwork cidr, BlockBatch batch)
    {
        while (batch.Take() is { } requests)
        {
            try
            {
                await ServeAsync(cidr, requests).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                // Each requester sees the failure as its own (an I/O error, retries exhausted).
                foreach (var waiting in requests)
                {
                    waiting.Done.TrySetException(e);
                }
            }
        }
    }

    /// <summary>
    /// Applies every queued release, then every queued allocation, to the block in one write. Each
    /// allocation's handle is counted up before the block is written (all at once), and the
    /// requester counts down what the block did not give, so a crash in between leaves a handle that
    /// counts too many (harmless) rather than an allocation no handle knows of. Releases count their
    /// handles down after the write, outside the batch.
    /// </summary>
    private async Task ServeAsync(IPNetwork cidr, List<BlockWork> requests)
    {
        var name = BlockCidr.NameOf(cidr);
        var blockKey = cidr.ToString();
        var reclaimed = false;
        for (var attempt = 1; ; attempt++)
        {
            var assumed = lastWritten.TryRemove(name, out var mine);
            var read = assumed ? mine : await store.Blocks.GetAsync(name, CancellationToken.None).ConfigureAwait(false);
            if (read is null)
            {
                // The node's affinity outlived its block (a claim that crashed, a block deleted by
                // hand): claim it again, or give it up if another node got the block.
                var node = requests.OfType<BlockAllocationWork>().Select(r => r.AffineTo).FirstOrDefault(n => n is not null);
                if (node is not null && !reclaimed && await ClaimBlockAsync(cidr, node, CancellationToken.None).ConfigureAwait(false))
                {
                    reclaimed = true;
                    continue;
                }

                Complete(requests, null);
                return;
            }

            var block = read.Value;
            var planned = new IReadOnlyList<BlockAllocation>[requests.Count];
            for (var i = 0; i < requests.Count; i++)
            {
                planned[i] = requests[i] is BlockReleaseWork release ? release.Release(block) : [];
            }

            for (var i = 0; i < requests.Count; i++)
            {
                if (requests[i] is BlockAllocationWork allocation && !block.Deleted && (allocation.AffineTo is null || block.AffineNode == allocation.AffineTo))
                {
                    planned[i] = block.AutoAssign(allocation.Count, allocation.Attribute, allocation.Reserved);
                }
            }

            // What this allocator wrote last may no longer be the block: whatever it cannot give or
            // free is asked of the block as it is now.
            if (assumed && !requests.Select((r, i) => r is BlockAllocationWork a ? planned[i].Count == a.Count : planned[i].Count > 0).All(served => served))
            {
                attempt--;
                continue;
            }

            if (Array.TrueForAll(planned, p => p.Count == 0))
            {
                Complete(requests, null);
                return;
            }

            // Where the store has transactions, new handles are created and released ones deleted in
            // the block's own write; the others (a handle that exists, or is counted up a second
            // time) are counted up first.
            var created = NewHandles(requests, planned, blockKey);
            var deleted = transactions is null ? [] : requests.OfType<BlockReleaseWork>().Where(r => r.Handle is not null).ToList();
            await Task.WhenAll(requests.Select((r, i) => r is BlockAllocationWork a && !created.ContainsKey(a) ? CountUpAsync(a, blockKey, planned[i].Count) : Task.CompletedTask)).ConfigureAwait(false);
            try
            {
                var written = created.Count == 0 && deleted.Count == 0
                    ? new WrittenBlock(await store.Blocks.UpdateAsync(block, read.Revision, CancellationToken.None).ConfigureAwait(false), [])
                    : await transactions!.WriteBlockWithHandlesAsync(block, read.Revision, [.. created.Values], [.. deleted.Select(r => r.Handle!)], CancellationToken.None).ConfigureAwait(false);
                foreach (var (request, handle) in created)
                {
                    request.Counted = handle.Blocks[blockKey];
                }

                RememberCreated(written.Created);

                foreach (var request in deleted)
                {
                    request.HandleDeleted = true;
                }

                lastWritten[name] = new Versioned<AllocationBlock>(block.Clone(), written.Block.Revision);
                Complete(requests, planned);
                return;
            }
            catch (IpamStoreException e) when (e.Kind == IpamKinds.Handle
                && (created.Keys.Any(r => r.HandleId == e.RecordName) || deleted.Exists(r => r.Handle!.Value.Name == e.RecordName)))
            {
                // A handle to create holds addresses already (another family, another block), or one
                // to delete changed: left out of the block write, which is tried again at once
                // (nothing was written); its requester settles it apart.
                foreach (var request in created.Keys.Where(r => r.HandleId == e.RecordName))
                {
                    request.HandleExists = true;
                }

                foreach (var request in deleted.Where(r => r.Handle!.Value.Name == e.RecordName))
                {
                    request.Handle = null;
                }

                attempt--;
            }
            catch (IpamStoreException e) when (IsRetryable(e))
            {
                var what = requests.Exists(r => r is BlockAllocationWork) ? "allocating from" : "releasing addresses in";
                await backoff.WaitAsync(attempt, $"{what} block {cidr}", CancellationToken.None).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// The handles to create in the block's write (with <see cref="transactions"/> only): of requests
    /// not yet counted in this block whose handle is not known to exist, one per handle.
    /// </summary>
    private Dictionary<BlockAllocationWork, IpamHandle> NewHandles(List<BlockWork> requests, IReadOnlyList<BlockAllocation>[] planned, string blockKey)
    {
        var created = new Dictionary<BlockAllocationWork, IpamHandle>();
        if (transactions is null)
        {
            return created;
        }

        var handles = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < requests.Count; i++)
        {
            if (requests[i] is BlockAllocationWork { Counted: 0, HandleExists: false } request && planned[i].Count > 0 && handles.Add(request.HandleId))
            {
                created.Add(request, new IpamHandle(request.HandleId).WithDelta(blockKey, planned[i].Count));
            }
        }

        return created;
    }

    private async Task CountUpAsync(BlockAllocationWork request, string blockKey, int planned)
    {
        if (planned > request.Counted)
        {
            // A handle is usually new (a CNI ADD): create it straight away, without reading it first.
            await UpdateHandleAsync(request.HandleId, blockKey, current => current + planned - request.Counted, CancellationToken.None, createFirst: request.Counted == 0).ConfigureAwait(false);
            request.Counted = planned;
        }
    }

    private static void Complete(List<BlockWork> requests, IReadOnlyList<BlockAllocation>[]? planned)
    {
        for (var i = 0; i < requests.Count; i++)
        {
            requests[i].Done.TrySetResult(planned?[i] ?? []);
        }
    }

    /// <summary>One request's share of a block write: what it was given or freed, once written.</summary>
    private abstract class BlockWork
    {
        public TaskCompletionSource<IReadOnlyList<BlockAllocation>> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>Addresses wanted from the block (from the node's own block only, when <see cref="AffineTo"/> is set).</summary>
    private sealed class BlockAllocationWork(int count, AllocationAttribute attribute, Func<IPAddress, bool> reserved, string? affineTo) : BlockWork
    {
        public int Count { get; } = count;

        public AllocationAttribute Attribute { get; } = attribute;

        public string HandleId { get; } = attribute.HandleId!;

        public Func<IPAddress, bool> Reserved { get; } = reserved;

        public string? AffineTo { get; } = affineTo;

        /// <summary>How many addresses the handle has been counted up for in this block; read by the requester once <see cref="BlockWork.Done"/> is.</summary>
        public int Counted { get; set; }

        /// <summary>The handle was found to exist: it is read and changed, not created with the block.</summary>
        public bool HandleExists { get; set; }
    }

    /// <summary>
    /// Addresses to free in the block: the change to make to it, returning what it freed; and the
    /// handle to delete in the same write (release by handle), if the store has transactions.
    /// </summary>
    private sealed class BlockReleaseWork(Func<AllocationBlock, IReadOnlyList<BlockAllocation>> release, Versioned<IpamHandle>? handle = null) : BlockWork
    {
        public Func<AllocationBlock, IReadOnlyList<BlockAllocation>> Release { get; } = release;

        /// <summary>Deleted with the block if still at its revision; set to null when it is not.</summary>
        public Versioned<IpamHandle>? Handle { get; set; } = handle;

        /// <summary>The handle was deleted in the block's write; read by the requester once <see cref="BlockWork.Done"/> is.</summary>
        public bool HandleDeleted { get; set; }
    }

    /// <summary>The requests waiting for one block, and whether one of them is serving the queue.</summary>
    private sealed class BlockBatch
    {
        private readonly Lock gate = new();
        private List<BlockWork> pending = [];
        private bool serving;

        /// <summary>Queues the request; true when the caller is to serve the queue.</summary>
        public bool Add(BlockWork request)
        {
            lock (gate)
            {
                pending.Add(request);
                if (serving)
                {
                    return false;
                }

                serving = true;
                return true;
            }
        }

        /// <summary>Everything queued, or null (and no longer serving) when nothing is.</summary>
        public List<BlockWork>? Take()
        {
            lock (gate)
            {
                if (pending.Count == 0)
                {
                    serving = false;
                    return null;
                }

                var taken = pending;
                pending = [];
                return taken;
            }
        }
    }
}
