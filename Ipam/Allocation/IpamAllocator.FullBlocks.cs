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

    // The last listing of the blocks' revisions, and when it began (shared as the reads are).
    private FullBlockListing? blockListing;

    /// <summary>
    /// Of <paramref name="blocks"/> (found full before), those that have space again, in order. One
    /// listing of the blocks' revisions (no documents) tells which changed since last read full; only
    /// those are read, all at once. Listing and reads each begun after <paramref name="since"/>.
    /// </summary>
    private async Task<List<IPNetwork>> WithSpaceAgainAsync(List<IPNetwork> blocks, long since, string node)
    {
        var revisions = await ListBlockRevisions(since).ConfigureAwait(false);
        var reads = new Task<Versioned<AllocationBlock>?>?[blocks.Count];
        for (var i = 0; i < blocks.Count; i++)
        {
            var stillFull = fullBlockReads.TryGetValue(blocks[i], out var known)
                && known.Read.IsCompletedSuccessfully
                && known.Read.Result is { } read
                && IsFull(read, node)
                && revisions.TryGetValue(read.Value.Name, out var now)
                && now == read.Revision;
            reads[i] = stillFull ? null : ReadFullBlock(blocks[i], since);
        }

        var withSpace = new List<IPNetwork>();
        for (var i = 0; i < blocks.Count; i++)
        {
            // A block gone, given away or deleted is left to the allocation, which sorts that out.
            if (reads[i] is { } reading && !IsFull(await reading.ConfigureAwait(false), node))
            {
                withSpace.Add(blocks[i]);
            }
        }

        return withSpace;
    }

    private static bool IsFull(Versioned<AllocationBlock>? read, string node) =>
        read is { Value: { FreeCount: 0, Deleted: false } block } && block.AffineNode == node;

    private Task<Dictionary<string, string>> ListBlockRevisions(long since)
    {
        while (true)
        {
            var known = Volatile.Read(ref blockListing);
            if (known is not null && known.Began >= since && !known.Listing.IsFaulted && !known.Listing.IsCanceled)
            {
                return known.Listing;
            }

            var listing = new FullBlockListing(Stopwatch.GetTimestamp(), new Lazy<Task<Dictionary<string, string>>>(async () =>
                (await store.Blocks.ListRevisionsAsync(CancellationToken.None).ConfigureAwait(false)).ToDictionary(r => r.Name, r => r.Revision, StringComparer.Ordinal)));
            if (Interlocked.CompareExchange(ref blockListing, listing, known) == known)
            {
                return listing.Listing;
            }
        }
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

    private sealed record FullBlockListing(long Began, Lazy<Task<Dictionary<string, string>>> Reading)
    {
        public Task<Dictionary<string, string>> Listing => Reading.Value;
    }
}
