using System.Net;
using Routing.Ipam.Addresses;
using Routing.Ipam.Blocks;
using Routing.Ipam.Store;

namespace Routing.Ipam.Allocation;

public sealed partial class IpamAllocator
{
    /// <summary>
    /// Finishes what an allocator on <paramref name="node"/> left half-done (a claim still pending, a
    /// release still pending deletion) and returns the blocks the node holds.
    /// </summary>
    public async Task<IReadOnlyList<IPNetwork>> RecoverAsync(string node, CancellationToken cancellationToken = default) =>
        await OwnBlocksAsync(node, cancellationToken).ConfigureAwait(false);

    private async Task<IReadOnlyList<IPNetwork>> OwnBlocksAsync(string node, CancellationToken cancellationToken)
    {
        var owned = new List<IPNetwork>();
        foreach (var affinity in await store.Affinities.ListAsync(cancellationToken).ConfigureAwait(false))
        {
            if (affinity.Value.Node != node)
            {
                continue;
            }

            switch (affinity.Value.State)
            {
                case AffinityState.Confirmed:
                    owned.Add(affinity.Value.Cidr);
                    break;
                case AffinityState.Pending when await ClaimBlockAsync(affinity.Value.Cidr, node, cancellationToken).ConfigureAwait(false):
                    owned.Add(affinity.Value.Cidr);
                    break;
                case AffinityState.PendingDeletion when !await ReleaseBlockAsync(affinity, cancellationToken).ConfigureAwait(false):
                    owned.Add(affinity.Value.Cidr);
                    break;
                default:
                    break;
            }
        }

        return owned;
    }

    /// <summary>
    /// Claims a block no one holds in one of the pools, starting the search at a random block so
    /// nodes claiming at once rarely want the same one; null when every block is taken.
    /// </summary>
    private async Task<IPNetwork?> ClaimFreeBlockAsync(IReadOnlyList<PoolLayout> pools, string node, CancellationToken cancellationToken)
    {
        var existing = (await store.Blocks.ListNamesAsync(cancellationToken).ConfigureAwait(false)).ToHashSet(StringComparer.Ordinal);
        foreach (var pool in pools)
        {
            var count = BlockCidr.BlockCount(pool.Network, pool.BlockSize);
            var start = backoff.Next(count);

            // Each step either skips an existing block or tries a free one, so the walk ends after
            // (blocks in the pool + claims lost to other nodes + 1) steps even in a huge IPv6 pool.
            for (UInt128 step = 0; step < count; step++)
            {
                var index = start + step;
                var candidate = BlockCidr.BlockAt(pool.Network, pool.BlockSize, index >= count || index < start ? index - count : index);
                var name = BlockCidr.NameOf(candidate);
                if (existing.Contains(name))
                {
                    continue;
                }

                if (await ClaimBlockAsync(candidate, node, cancellationToken).ConfigureAwait(false))
                {
                    return candidate;
                }

                existing.Add(name);
            }
        }

        return null;
    }

    /// <summary>
    /// Claims <paramref name="cidr"/> for <paramref name="node"/> in three writes: affinity pending,
    /// block created, affinity confirmed. Whoever creates the block wins; a loser deletes its pending
    /// affinity. Run again over a claim that stopped half-way, it finishes it. False when the block
    /// belongs to someone else (or is being released).
    /// </summary>
    private async Task<bool> ClaimBlockAsync(IPNetwork cidr, string node, CancellationToken cancellationToken)
    {
        if (await ClaimInOneWriteAsync(cidr, node, cancellationToken).ConfigureAwait(false))
        {
            return true;
        }

        var name = BlockAffinity.NameFor(node, cidr);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var affinity = await PendingAffinityAsync(name, node, cidr, cancellationToken).ConfigureAwait(false);
                if (affinity is null || affinity.Value.State == AffinityState.PendingDeletion)
                {
                    return false;
                }

                if (!await CreateBlockAsync(cidr, node, cancellationToken).ConfigureAwait(false))
                {
                    await DeleteQuietlyAsync(store.Affinities, affinity, cancellationToken).ConfigureAwait(false);
                    return false;
                }

                if (affinity.Value.State != AffinityState.Confirmed)
                {
                    await store.Affinities.UpdateAsync(affinity.Value with { State = AffinityState.Confirmed }, affinity.Revision, cancellationToken).ConfigureAwait(false);
                }

                return true;
            }
            catch (IpamStoreException e) when (IsRetryable(e) || e.Error == IpamStoreError.AlreadyExists)
            {
                await backoff.WaitAsync(attempt, $"claiming block {cidr} for node {node}", cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Where the store has transactions, a block no one holds is claimed in one write: the block and
    /// the node's affinity, confirmed, created together (nothing half-done for a crash to leave).
    /// False when either exists already: the three-write claim sorts that out (an earlier claim of
    /// this node to finish, or a block that is someone else's).
    /// </summary>
    private async Task<bool> ClaimInOneWriteAsync(IPNetwork cidr, string node, CancellationToken cancellationToken)
    {
        if (transactions is null)
        {
            return false;
        }

        try
        {
            var block = new AllocationBlock(cidr, node, options.StrictAffinity);
            var claimed = await transactions.CreateBlockWithAffinityAsync(block, new BlockAffinity(node, cidr, AffinityState.Confirmed), cancellationToken).ConfigureAwait(false);
            lastWritten[BlockCidr.NameOf(cidr)] = new Versioned<AllocationBlock>(claimed.Block.Value.Clone(), claimed.Block.Revision);
            return true;
        }
        catch (IpamStoreException e) when (e.Error == IpamStoreError.AlreadyExists)
        {
            return false;
        }
    }

    /// <summary>The node's affinity for the block, created pending if there is none yet.</summary>
    private async Task<Versioned<BlockAffinity>?> PendingAffinityAsync(string name, string node, IPNetwork cidr, CancellationToken cancellationToken)
    {
        try
        {
            return await store.Affinities.CreateAsync(new BlockAffinity(node, cidr, AffinityState.Pending), cancellationToken).ConfigureAwait(false);
        }
        catch (IpamStoreException e) when (e.Error == IpamStoreError.AlreadyExists)
        {
            // An earlier claim by this node, finished or not: carry on from where it is.
            return await store.Affinities.GetAsync(name, cancellationToken).ConfigureAwait(false)
                ?? throw new IpamStoreException(IpamStoreError.NotFound, IpamKinds.BlockAffinity, name);
        }
    }

    /// <summary>Creates the node's block; true when it exists and is the node's (already or now).</summary>
    private async Task<bool> CreateBlockAsync(IPNetwork cidr, string node, CancellationToken cancellationToken)
    {
        try
        {
            await store.Blocks.CreateAsync(new AllocationBlock(cidr, node, options.StrictAffinity), cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (IpamStoreException e) when (e.Error == IpamStoreError.AlreadyExists)
        {
            var block = await store.Blocks.GetAsync(BlockCidr.NameOf(cidr), cancellationToken).ConfigureAwait(false)
                ?? throw new IpamStoreException(IpamStoreError.NotFound, IpamKinds.Block, BlockCidr.NameOf(cidr));
            return block.Value.AffineNode == node && !block.Value.Deleted;
        }
    }

    private static async Task DeleteQuietlyAsync<T>(IIpamCollection<T> collection, Versioned<T> record, CancellationToken cancellationToken)
        where T : class, IIpamRecord
    {
        try
        {
            await collection.DeleteAsync(record.Value.Name, record.Revision, cancellationToken).ConfigureAwait(false);
        }
        catch (IpamStoreException e) when (e.Error == IpamStoreError.NotFound)
        {
            // Already gone: what we wanted.
        }
    }
}
