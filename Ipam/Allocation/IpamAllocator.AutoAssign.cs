using System.Net;
using System.Net.Sockets;
using Routing.Ipam.Blocks;
using Routing.Ipam.Store;

namespace Routing.Ipam.Allocation;

public sealed partial class IpamAllocator
{
    /// <summary>
    /// Allocates <see cref="AssignRequest.IPv4Count"/> IPv4 and <see cref="AssignRequest.IPv6Count"/>
    /// IPv6 addresses to the request's handle. All or nothing: when one family cannot be served, what
    /// the other got is released before the <see cref="IpamException"/> is thrown.
    /// </summary>
    public async Task<AssignResult> AutoAssignAsync(AssignRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        Validate(request.HandleId, request.Node);
        if (request.IPv4Count < 0 || request.IPv6Count < 0)
        {
            throw new IpamException(IpamErrorKind.InvalidRequest, "an IPAM request cannot ask for fewer than zero addresses.");
        }

        var ipv4 = await AutoAssignFamilyAsync(request, AddressFamily.InterNetwork, request.IPv4Count, cancellationToken).ConfigureAwait(false);
        try
        {
            var ipv6 = await AutoAssignFamilyAsync(request, AddressFamily.InterNetworkV6, request.IPv6Count, cancellationToken).ConfigureAwait(false);
            return new AssignResult(ipv4, ipv6);
        }
        catch
        {
            await ReleaseAsync(ipv4.Select(a => new AddressRelease(a.Address, a.SequenceNumber)), CancellationToken.None).ConfigureAwait(false);
            throw;
        }
    }

    private async Task<IReadOnlyList<IpamAllocation>> AutoAssignFamilyAsync(
        AssignRequest request, AddressFamily family, int count, CancellationToken cancellationToken)
    {
        if (count == 0)
        {
            return [];
        }

        var node = request.Node;
        var since = System.Diagnostics.Stopwatch.GetTimestamp();
        var pools = await EligiblePoolsAsync(family, node, request.Pools, cancellationToken).ConfigureAwait(false);
        var reserved = await ReservedAsync(cancellationToken).ConfigureAwait(false);
        var attribute = AttributeFor(request.HandleId, node, request.Attributes);
        var got = new List<IpamAllocation>(count);
        try
        {
            // 1. The node's own blocks.
            var tried = new HashSet<IPNetwork>();
            var seen = ClaimsOf(node);
            await AssignFromOwnBlocksAsync(pools, node, count, attribute, reserved, tried, got, since, cancellationToken).ConfigureAwait(false);

            // 2. New blocks claimed for the node, up to its limit: one claim at a time per node, or a
            // burst of pods on a node would claim a block each. Whoever finds that another request
            // claimed one meanwhile tries that block first; the addresses are taken outside the
            // lock, so that the waiters share block writes rather than queue for one each.
            while (got.Count < count)
            {
                IPNetwork? claimed = null;
                using (await claimLocks.EnterAsync(node, cancellationToken).ConfigureAwait(false))
                {
                    if (ClaimsOf(node) == seen)
                    {
                        if (options.MaxBlocksPerHost > 0 && (await OwnBlocksAsync(node, cancellationToken).ConfigureAwait(false)).Count >= options.MaxBlocksPerHost)
                        {
                            break;
                        }

                        claimed = await ClaimFreeBlockAsync(pools, node, cancellationToken).ConfigureAwait(false);
                        if (claimed is null)
                        {
                            break;
                        }

                        claimGenerations.AddOrUpdate(node, 1, static (_, n) => n + 1);
                    }

                    seen = ClaimsOf(node);
                }

                if (claimed is { } block)
                {
                    tried.Add(block);
                    got.AddRange(await AssignFromBlockAsync(block, PoolOf(pools, block)!.Value, count - got.Count, attribute, reserved, node, cancellationToken).ConfigureAwait(false));
                }
                else
                {
                    await AssignFromOwnBlocksAsync(pools, node, count, attribute, reserved, tried, got, since, cancellationToken).ConfigureAwait(false);
                }
            }

            // 3. Borrowed from other nodes' blocks, when allowed.
            if (got.Count < count && !options.StrictAffinity)
            {
                foreach (var block in await store.Blocks.ListAsync(cancellationToken).ConfigureAwait(false))
                {
                    if (got.Count == count)
                    {
                        break;
                    }

                    var candidate = block.Value;
                    if (candidate.Deleted || candidate.FreeCount == 0 || candidate.AffineNode == node || PoolOf(pools, candidate.Cidr) is not { } pool)
                    {
                        continue;
                    }

                    got.AddRange(await AssignFromBlockAsync(candidate.Cidr, pool, count - got.Count, attribute, reserved, null, cancellationToken).ConfigureAwait(false));
                }
            }

            if (got.Count < count)
            {
                throw Exhausted(family, node, count, got.Count, pools);
            }

            return got;
        }
        catch
        {
            await ReleaseAsync(got.Select(a => new AddressRelease(a.Address, a.SequenceNumber)), CancellationToken.None).ConfigureAwait(false);
            throw;
        }
    }

    private int ClaimsOf(string node) => claimGenerations.GetValueOrDefault(node);

    /// <summary>Allocates from the node's blocks not tried yet, adding to <paramref name="got"/>; returns how many blocks the node holds.</summary>
    private async Task<int> AssignFromOwnBlocksAsync(
        IReadOnlyList<PoolLayout> pools,
        string node,
        int count,
        AllocationAttribute attribute,
        Func<IPAddress, bool> reserved,
        HashSet<IPNetwork> tried,
        List<IpamAllocation> got,
        long since,
        CancellationToken cancellationToken)
    {
        var owned = await OwnBlocksAsync(node, cancellationToken).ConfigureAwait(false);
        await AssignFromOwnAsync(owned.Where(b => !seenFull.ContainsKey(b))).ConfigureAwait(false);
        var full = owned.Where(b => seenFull.ContainsKey(b) && !tried.Contains(b)).ToList();
        if (got.Count < count && full.Count > 0)
        {
            // Blocks found full before, read again all at once: only those with space are asked.
            var again = await WithSpaceAgainAsync(full, since, node).ConfigureAwait(false);
            tried.UnionWith(full.Except(again));
            await AssignFromOwnAsync(again).ConfigureAwait(false);
        }

        return owned.Count;

        async Task AssignFromOwnAsync(IEnumerable<IPNetwork> blocks)
        {
            foreach (var cidr in blocks)
            {
                if (got.Count == count)
                {
                    break;
                }

                await AssignFromOwnBlockAsync(cidr).ConfigureAwait(false);
            }
        }

        async Task AssignFromOwnBlockAsync(IPNetwork cidr)
        {
            if (tried.Add(cidr) && PoolOf(pools, cidr) is { } pool)
            {
                var wanted = count - got.Count;
                var taken = await AssignFromBlockAsync(cidr, pool, wanted, attribute, reserved, node, cancellationToken).ConfigureAwait(false);
                got.AddRange(taken);
                if (taken.Count < wanted)
                {
                    seenFull[cidr] = 0;
                }
                else
                {
                    seenFull.TryRemove(cidr, out _);
                    fullBlockReads.TryRemove(cidr, out _);
                }
            }
        }
    }

    private IpamException Exhausted(AddressFamily family, string node, int wanted, int found, IReadOnlyList<PoolLayout> pools)
    {
        var names = string.Join(", ", pools.Select(p => $"{p.Pool.Name} ({p.Pool.Cidr})"));
        var why = options.StrictAffinity
            ? "every block is claimed and strictAffinity keeps the node from borrowing addresses from other nodes' blocks"
            : options.MaxBlocksPerHost > 0
                ? $"the node holds its limit of {options.MaxBlocksPerHost} blocks and every other block is full"
                : "every address is allocated or reserved";
        return new IpamException(
            IpamErrorKind.PoolExhausted,
            $"pool exhausted for node {node}: found {found} of {wanted} {FamilyName(family)} addresses in {names}: {why}.");
    }

    private static PoolLayout? PoolOf(IReadOnlyList<PoolLayout> pools, IPNetwork block)
    {
        foreach (var pool in pools)
        {
            if (pool.Holds(block))
            {
                return pool;
            }
        }

        return null;
    }

    /// <summary>
    /// Allocates up to <paramref name="count"/> addresses from one block, in one block write with
    /// whatever else this allocator wants from the block at the same moment (<see cref="BlockBatch"/>).
    /// </summary>
    private async Task<IReadOnlyList<IpamAllocation>> AssignFromBlockAsync(
        IPNetwork cidr,
        PoolLayout pool,
        int count,
        AllocationAttribute attribute,
        Func<IPAddress, bool> reserved,
        string? affineTo,
        CancellationToken cancellationToken)
    {
        var request = new BlockAllocationWork(count, attribute, reserved, affineTo);
        IReadOnlyList<BlockAllocation> taken = [];
        try
        {
            taken = await SubmitAsync(cidr, request).WaitAsync(cancellationToken).ConfigureAwait(false);
            return [.. taken.Select(a => new IpamAllocation(a.Address, cidr, pool.Pool.Name, request.HandleId, a.SequenceNumber))];
        }
        finally
        {
            // Counted up for more than the block gave (it filled, the write failed): count down again.
            // A cancelled caller waits for its batch first, which may still give it addresses.
            if (cancellationToken.IsCancellationRequested)
            {
                try
                {
                    taken = await request.Done.Task.ConfigureAwait(false);
                }
                catch (Exception e) when (e is IpamException or IpamStoreException or IOException)
                {
                    taken = [];
                }

                if (taken.Count > 0)
                {
                    await ReleaseAsync(taken.Select(a => new AddressRelease(a.Address, a.SequenceNumber)), CancellationToken.None).ConfigureAwait(false);
                }
            }

            if (request.Counted > taken.Count)
            {
                await ChangeHandleAsync(request.HandleId, cidr.ToString(), taken.Count - request.Counted, CancellationToken.None).ConfigureAwait(false);
            }
        }
    }
}
