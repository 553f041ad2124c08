using System.Collections.Concurrent;
using System.Net;
using Routing.Ipam.Addresses;
using Routing.Ipam.Blocks;
using Routing.Ipam.Store;

namespace Routing.Ipam.Allocation;

public sealed partial class IpamAllocator
{
    private readonly ConcurrentDictionary<string, BlockBatch> batches = new(StringComparer.Ordinal);

    /// <summary>
    /// Queues <paramref name="request"/> for the block; the first request to find no batch being
    /// written starts serving the queue, in turns, until it is empty. One read and one compare-and-swap of
    /// the block then serve every request that arrived meanwhile: a busy node's pods share block
    /// writes instead of queueing for one each (each a datastore round trip and, on etcd, a sync to disk).
    /// </summary>
    private async Task<IReadOnlyList<BlockAllocation>> SubmitAsync(IPNetwork cidr, string? affineTo, BlockRequest request)
    {
        var key = affineTo is null ? BlockCidr.NameOf(cidr) : $"{BlockCidr.NameOf(cidr)}/{affineTo}";
        var batch = batches.GetOrAdd(key, static _ => new BlockBatch());
        if (batch.Add(request))
        {
            // Served apart from this request's caller, which then waits no longer than its own batch.
            _ = Task.Run(() => ServeQueueAsync(cidr, affineTo, batch), CancellationToken.None);
        }

        return await request.Done.Task.ConfigureAwait(false);
    }

    private async Task ServeQueueAsync(IPNetwork cidr, string? affineTo, BlockBatch batch)
    {
        while (batch.Take() is { } requests)
        {
            try
            {
                await ServeAsync(cidr, affineTo, requests).ConfigureAwait(false);
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
    /// Allocates for every request in one block write. Each request's handle is counted up before
    /// the block is written (all at once), and the requester counts down what the block did not
    /// give, so a crash in between leaves a handle that counts too many (harmless) rather than an
    /// allocation no handle knows of.
    /// </summary>
    private async Task ServeAsync(IPNetwork cidr, string? affineTo, List<BlockRequest> requests)
    {
        var name = BlockCidr.NameOf(cidr);
        var blockKey = cidr.ToString();
        var reclaimed = false;
        for (var attempt = 1; ; attempt++)
        {
            var read = await store.Blocks.GetAsync(name, CancellationToken.None).ConfigureAwait(false);
            if (read is null)
            {
                // The node's affinity outlived its block (a claim that crashed, a block deleted by
                // hand): claim it again, or give it up if another node got the block.
                if (affineTo is not null && !reclaimed && await ClaimBlockAsync(cidr, affineTo, CancellationToken.None).ConfigureAwait(false))
                {
                    reclaimed = true;
                    continue;
                }

                Complete(requests, null);
                return;
            }

            var block = read.Value;
            if (block.Deleted || (affineTo is not null && block.AffineNode != affineTo))
            {
                Complete(requests, null);
                return;
            }

            var planned = requests.Select(r => block.AutoAssign(r.Count, r.Attribute, r.Reserved)).ToArray();
            if (Array.TrueForAll(planned, p => p.Count == 0))
            {
                Complete(requests, null);
                return;
            }

            await Task.WhenAll(requests.Select((r, i) => CountUpAsync(r, blockKey, planned[i].Count))).ConfigureAwait(false);
            try
            {
                await store.Blocks.UpdateAsync(block, read.Revision, CancellationToken.None).ConfigureAwait(false);
                Complete(requests, planned);
                return;
            }
            catch (IpamStoreException e) when (IsRetryable(e))
            {
                await backoff.WaitAsync(attempt, $"allocating from block {cidr}", CancellationToken.None).ConfigureAwait(false);
            }
        }
    }

    private async Task CountUpAsync(BlockRequest request, string blockKey, int planned)
    {
        if (planned > request.Counted)
        {
            await ChangeHandleAsync(request.HandleId, blockKey, planned - request.Counted, CancellationToken.None).ConfigureAwait(false);
            request.Counted = planned;
        }
    }

    private static void Complete(List<BlockRequest> requests, IReadOnlyList<BlockAllocation>[]? planned)
    {
        for (var i = 0; i < requests.Count; i++)
        {
            requests[i].Done.TrySetResult(planned?[i] ?? []);
        }
    }

    /// <summary>One request's share of a block write.</summary>
    private sealed class BlockRequest(int count, AllocationAttribute attribute, Func<IPAddress, bool> reserved)
    {
        public int Count { get; } = count;

        public AllocationAttribute Attribute { get; } = attribute;

        public string HandleId { get; } = attribute.HandleId!;

        public Func<IPAddress, bool> Reserved { get; } = reserved;

        /// <summary>How many addresses the handle has been counted up for in this block; read by the requester once <see cref="Done"/> is.</summary>
        public int Counted { get; set; }

        public TaskCompletionSource<IReadOnlyList<BlockAllocation>> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>The requests waiting for one block, and whether one of them is serving the queue.</summary>
    private sealed class BlockBatch
    {
        private readonly Lock gate = new();
        private List<BlockRequest> pending = [];
        private bool serving;

        /// <summary>Queues the request; true when the caller is to serve the queue.</summary>
        public bool Add(BlockRequest request)
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
        public List<BlockRequest>? Take()
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
