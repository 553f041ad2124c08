using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Routing.Ipam.Addresses;
using Routing.Ipam.Blocks;
using Routing.Ipam.Store;

namespace Routing.Ipam.Allocation;

public sealed partial class IpamAllocator
{
    // Blocks this allocator last found full: tried after the others (a hint for the order only, since
    // another allocator may free addresses in them), so a node with many full blocks does not read
    // each of them for every allocation.
    private readonly ConcurrentDictionary<IPNetwork, byte> seenFull = new();

    // The last read of each block found full, and when it began: a request that began before that
    // read needs no read of its own (what it would read is at least as new), so requests that all
    // find the node's blocks full at once share one read of each.
    private readonly ConcurrentDictionary<IPNetwork, FullBlockRead> fullBlockReads = new();

    /// <summary>
    /// Of <paramref name="blocks"/> (found full before), those that have space again, in order: all
    /// read at once (one round trip, not one per block), each read begun after <paramref name="since"/>.
    /// </summary>
    private async Task<List<IPNetwork>> WithSpaceAgainAsync(List<IPNetwork> blocks, long since, string node)
    {
        var reads = new Task<Versioned<AllocationBlock>?>[blocks.Count];
        for (var i = 0; i < blocks.Count; i++)
        {
            reads[i] = ReadFullBlock(blocks[i], since);
        }

        var withSpace = new List<IPNetwork>();
        for (var i = 0; i < blocks.Count; i++)
        {
            // A block gone, given away or deleted is left to the allocation, which sorts that out.
            if (await reads[i].ConfigureAwait(false) is not { } read || read.Value.FreeCount > 0 || read.Value.Deleted || read.Value.AffineNode != node)
            {
                withSpace.Add(blocks[i]);
            }
        }

        return withSpace;
    }

    private Task<Versioned<AllocationBlock>?> ReadFullBlock(IPNetwork cidr, long since)
    {
        while (true)
        {
            if (fullBlockReads.TryGetValue(cidr, out var known) && known.Began >= since && !known.Read.IsFaulted && !known.Read.IsCanceled)
            {
                return known.Read;
            }

            var read = new FullBlockRead(Stopwatch.GetTimestamp(), new Lazy<Task<Versioned<AllocationBlock>?>>(
                () => store.Blocks.GetAsync(BlockCidr.NameOf(cidr), CancellationToken.None).AsTask()));
            var stored = known is null ? fullBlockReads.TryAdd(cidr, read) : fullBlockReads.TryUpdate(cidr, read, known);
            if (stored)
            {
                return read.Read;
            }
        }
    }

    private sealed record FullBlockRead(long Began, Lazy<Task<Versioned<AllocationBlock>?>> Reading)
    {
        public Task<Versioned<AllocationBlock>?> Read => Reading.Value;
    }
}
