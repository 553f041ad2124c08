using System.Net;
using Routing.Ipam.Addresses;
using Routing.Ipam.Blocks;
using Routing.Ipam.Store;

namespace Routing.Ipam.Allocation;

public sealed partial class IpamAllocator
{
    /// <summary>Frees the addresses (each only if still at its sequence number, when one is given); returns those freed. Freeing a free address is harmless.</summary>
    public async Task<IReadOnlyList<BlockAllocation>> ReleaseAsync(IEnumerable<AddressRelease> releases, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(releases);
        var wanted = releases.ToList();
        if (wanted.Count == 0)
        {
            return [];
        }

        var freed = new List<BlockAllocation>();
        foreach (var (cidr, inBlock) in await GroupByBlockAsync(wanted, cancellationToken).ConfigureAwait(false))
        {
            freed.AddRange(await ReleaseFromBlockAsync(cidr, block => [.. inBlock.Select(r => block.Release(r.Address, r.SequenceNumber)).OfType<BlockAllocation>()], countHandlesDown: true, cancellationToken).ConfigureAwait(false));
        }

        return freed;
    }

    /// <summary>Frees the addresses, whoever holds them.</summary>
    public Task<IReadOnlyList<BlockAllocation>> ReleaseAsync(IEnumerable<IPAddress> addresses, CancellationToken cancellationToken = default) =>
        ReleaseAsync(addresses.Select(a => new AddressRelease(a)), cancellationToken);

    /// <summary>Frees every address <paramref name="handleId"/> holds and forgets the handle (the CNI DEL). Harmless when it holds none.</summary>
    public async Task<IReadOnlyList<BlockAllocation>> ReleaseByHandleAsync(string handleId, CancellationToken cancellationToken = default)
    {
        // A handle this allocator created and that has not changed since: released without reading it.
        var (released, done) = await ReleaseCreatedHandleAsync(handleId, cancellationToken).ConfigureAwait(false);
        if (done)
        {
            return released;
        }

        var freed = new List<BlockAllocation>(released);
        var handle = await store.Handles.GetAsync(handleId, cancellationToken).ConfigureAwait(false);
        if (handle is null)
        {
            return freed;
        }

        foreach (var blockKey in handle.Value.Blocks.Keys)
        {
            // A handle of one block unchanged since it was read is simply deleted (the usual CNI
            // DEL): in the block's own write, where the store has transactions.
            var single = handle.Value.Blocks.Count == 1;
            var deletedWithBlock = false;
            if (BlockCidr.TryParse(blockKey, out var cidr))
            {
                var work = new BlockReleaseWork(block => block.ReleaseByHandle(handleId), single && transactions is not null ? handle : null);
                freed.AddRange(await SubmitAsync(cidr, work).WaitAsync(cancellationToken).ConfigureAwait(false));
                deletedWithBlock = work.HandleDeleted;
            }

            // Whatever the block held, the handle now holds nothing there: also clears a count left
            // too high by an allocation that crashed between its handle and block writes.
            if (!deletedWithBlock && (!single || !await DeleteHandleAsync(handle, cancellationToken).ConfigureAwait(false)))
            {
                await SetHandleCountAsync(handleId, blockKey, 0, cancellationToken).ConfigureAwait(false);
            }
        }

        return freed;
    }

    /// <summary>
    /// Gives the node's empty blocks back to their pools (affinity pending deletion → block deleted →
    /// affinity deleted); returns the blocks released.
    /// </summary>
    public async Task<IReadOnlyList<IPNetwork>> ReleaseEmptyBlocksAsync(string node, CancellationToken cancellationToken = default)
    {
        var released = new List<IPNetwork>();
        foreach (var affinity in await store.Affinities.ListAsync(cancellationToken).ConfigureAwait(false))
        {
            if (affinity.Value.Node == node && affinity.Value.State != AffinityState.Pending
                && await ReleaseBlockAsync(affinity, cancellationToken).ConfigureAwait(false))
            {
                released.Add(affinity.Value.Cidr);
            }
        }

        return released;
    }

    private async Task<List<(IPNetwork Block, List<AddressRelease> Releases)>> GroupByBlockAsync(List<AddressRelease> releases, CancellationToken cancellationToken)
    {
        var pools = await ValidPoolsAsync(cancellationToken).ConfigureAwait(false);
        IReadOnlyList<IPNetwork>? blocks = null;
        var groups = new Dictionary<IPNetwork, List<AddressRelease>>();
        foreach (var release in releases)
        {
            // The pool says which block holds the address; a block of a pool deleted since is found by listing.
            IPNetwork? cidr = pools.FirstOrDefault(p => p.Network.Contains(release.Address)) is { Pool: not null } pool
                ? BlockCidr.BlockOf(release.Address, pool.BlockSize)
                : null;
            if (cidr is null)
            {
                blocks ??= [.. (await store.Blocks.ListAsync(cancellationToken).ConfigureAwait(false)).Select(b => b.Value.Cidr)];
                cidr = blocks.FirstOrDefault(b => b.Contains(release.Address));
                if (cidr.Value.BaseAddress is null)
                {
                    continue;
                }
            }

            if (!groups.TryGetValue(cidr.Value, out var list))
            {
                groups.Add(cidr.Value, list = []);
            }

            list.Add(release);
        }

        return [.. groups.Select(g => (g.Key, g.Value))];
    }

    /// <summary>
    /// Applies <paramref name="release"/> to the block with compare-and-swap, in one write with
    /// whatever else this allocator wants from the block at that moment; then (unless the caller
    /// settles them itself) counts the handles down.
    /// </summary>
    private async Task<IReadOnlyList<BlockAllocation>> ReleaseFromBlockAsync(
        IPNetwork cidr, Func<AllocationBlock, IReadOnlyList<BlockAllocation>> release, bool countHandlesDown, CancellationToken cancellationToken)
    {
        var freed = await SubmitAsync(cidr, new BlockReleaseWork(release)).WaitAsync(cancellationToken).ConfigureAwait(false);
        if (freed.Count > 0)
        {
            seenFull.TryRemove(cidr, out _);
        }

        foreach (var handle in freed.Where(a => countHandlesDown && a.HandleId is not null).GroupBy(a => a.HandleId!))
        {
            await ChangeHandleAsync(handle.Key, cidr.ToString(), -handle.Count(), cancellationToken).ConfigureAwait(false);
        }

        return freed;
    }

    /// <summary>
    /// Releases the node's block if it is empty; true when block and affinity are gone. A block that
    /// filled again while being released keeps its affinity (set back to confirmed).
    /// </summary>
    private async Task<bool> ReleaseBlockAsync(Versioned<BlockAffinity> affinity, CancellationToken cancellationToken)
    {
        var cidr = affinity.Value.Cidr;
        var node = affinity.Value.Node;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var block = await store.Blocks.GetAsync(BlockCidr.NameOf(cidr), cancellationToken).ConfigureAwait(false);
                if (block is not null && block.Value.AffineNode != node)
                {
                    // Another node's block: this affinity is a leftover of a lost claim.
                    await DeleteQuietlyAsync(store.Affinities, affinity, cancellationToken).ConfigureAwait(false);
                    return false;
                }

                if (block is not null && !block.Value.IsEmpty)
                {
                    if (affinity.Value.State == AffinityState.PendingDeletion)
                    {
                        await store.Affinities.UpdateAsync(affinity.Value with { State = AffinityState.Confirmed }, affinity.Revision, cancellationToken).ConfigureAwait(false);
                    }

                    return false;
                }

                if (affinity.Value.State != AffinityState.PendingDeletion)
                {
                    affinity = await store.Affinities.UpdateAsync(affinity.Value with { State = AffinityState.PendingDeletion }, affinity.Revision, cancellationToken).ConfigureAwait(false);
                }

                if (block is not null)
                {
                    // Marked deleted first, at the revision found empty: an allocation in between makes
                    // this write conflict, and an allocator that reads the mark keeps out.
                    var marked = block;
                    if (!block.Value.Deleted)
                    {
                        block.Value.Deleted = true;
                        marked = await store.Blocks.UpdateAsync(block.Value, block.Revision, cancellationToken).ConfigureAwait(false);
                    }

                    await store.Blocks.DeleteAsync(marked.Value.Name, marked.Revision, cancellationToken).ConfigureAwait(false);
                }

                await DeleteQuietlyAsync(store.Affinities, affinity, cancellationToken).ConfigureAwait(false);
                return true;
            }
            catch (IpamStoreException e) when (IsRetryable(e))
            {
                await backoff.WaitAsync(attempt, $"releasing block {cidr} of node {node}", cancellationToken).ConfigureAwait(false);
                var current = await store.Affinities.GetAsync(affinity.Value.Name, cancellationToken).ConfigureAwait(false);
                if (current is null)
                {
                    return false;
                }

                affinity = current;
            }
        }
    }

    /// <summary>Deletes the handle if it is still as read; false when it changed or is gone.</summary>
    private async Task<bool> DeleteHandleAsync(Versioned<Handles.IpamHandle> handle, CancellationToken cancellationToken)
    {
        try
        {
            await store.Handles.DeleteAsync(handle.Value.Name, handle.Revision, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (IpamStoreException e) when (IsRetryable(e))
        {
            return false;
        }
    }

    /// <summary>Moves the handle's count in one block by <paramref name="delta"/>, creating or deleting the handle as it fills or empties.</summary>
    private Task ChangeHandleAsync(string handleId, string blockKey, int delta, CancellationToken cancellationToken) =>
        UpdateHandleAsync(handleId, blockKey, current => current + delta, cancellationToken);

    private Task SetHandleCountAsync(string handleId, string blockKey, int count, CancellationToken cancellationToken) =>
        UpdateHandleAsync(handleId, blockKey, _ => count, cancellationToken);

    private async Task UpdateHandleAsync(string handleId, string blockKey, Func<int, int> change, CancellationToken cancellationToken, bool createFirst = false)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                if (createFirst && attempt == 1 && change(0) is > 0 and var fresh)
                {
                    try
                    {
                        await store.Handles.CreateAsync(new Handles.IpamHandle(handleId).WithDelta(blockKey, fresh), cancellationToken).ConfigureAwait(false);
                        return;
                    }
                    catch (IpamStoreException e) when (e.Error == IpamStoreError.AlreadyExists)
                    {
                        // It holds addresses already (another family, another block): read and change it.
                    }
                }

                var read = await store.Handles.GetAsync(handleId, cancellationToken).ConfigureAwait(false);
                if (read is null)
                {
                    var count = change(0);
                    if (count > 0)
                    {
                        await store.Handles.CreateAsync(new Handles.IpamHandle(handleId).WithDelta(blockKey, count), cancellationToken).ConfigureAwait(false);
                    }

                    return;
                }

                var current = read.Value.Blocks.GetValueOrDefault(blockKey);
                var updated = read.Value.WithDelta(blockKey, change(current) - current);
                if (updated.Equals(read.Value))
                {
                    return;
                }

                if (updated.Blocks.IsEmpty)
                {
                    await store.Handles.DeleteAsync(handleId, read.Revision, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await store.Handles.UpdateAsync(updated, read.Revision, cancellationToken).ConfigureAwait(false);
                }

                return;
            }
            catch (IpamStoreException e) when (IsRetryable(e) || e.Error == IpamStoreError.AlreadyExists)
            {
                await backoff.WaitAsync(attempt, $"updating handle {handleId}", cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
