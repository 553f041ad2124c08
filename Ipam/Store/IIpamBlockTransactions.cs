using Routing.Ipam.Blocks;
using Routing.Ipam.Handles;

namespace Routing.Ipam.Store;

/// <summary>
/// A block written together with the handles its change concerns, all or nothing (etcd: one Txn):
/// the handles of new allocations created, those of addresses released by handle deleted. An
/// allocation or a release then costs one datastore write instead of two, and no crash leaves an
/// allocation that no handle knows of. Offered by stores whose datastore has transactions
/// (<see cref="IIpamStore.Transactions"/>).
/// </summary>
public interface IIpamBlockTransactions
{
    /// <summary>
    /// Creates <paramref name="created"/>, deletes <paramref name="deleted"/> (each if still at its
    /// revision) and replaces the block if it is still at <paramref name="expectedRevision"/>; or
    /// changes nothing. <see cref="IpamStoreException"/> for the first write refused, handles first:
    /// <see cref="IpamStoreError.AlreadyExists"/> for a handle to create, <see cref="IpamStoreError.Conflict"/>
    /// or <see cref="IpamStoreError.NotFound"/> for a handle to delete or for the block.
    /// </summary>
    ValueTask<WrittenBlock> WriteBlockWithHandlesAsync(
        AllocationBlock block,
        string expectedRevision,
        IReadOnlyList<IpamHandle> created,
        IReadOnlyList<Versioned<IpamHandle>> deleted,
        CancellationToken cancellationToken = default);

    /// <summary>
    /// Claims a block in one write: creates <paramref name="block"/> and the node's
    /// <paramref name="affinity"/> for it, both or neither. <see cref="IpamStoreException"/>
    /// <see cref="IpamStoreError.AlreadyExists"/> for whichever exists, the affinity first.
    /// </summary>
    ValueTask<ClaimedBlock> CreateBlockWithAffinityAsync(AllocationBlock block, BlockAffinity affinity, CancellationToken cancellationToken = default);
}

/// <summary>A block as written with its handles (<see cref="IIpamBlockTransactions.WriteBlockWithHandlesAsync"/>): the handles created, each at its revision.</summary>
public sealed record WrittenBlock(Versioned<AllocationBlock> Block, IReadOnlyList<Versioned<IpamHandle>> Created);

/// <summary>A block and its affinity as written by one claim (<see cref="IIpamBlockTransactions.CreateBlockWithAffinityAsync"/>).</summary>
public sealed record ClaimedBlock(Versioned<AllocationBlock> Block, Versioned<BlockAffinity> Affinity);
