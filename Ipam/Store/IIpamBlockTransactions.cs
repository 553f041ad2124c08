using Routing.Ipam.Blocks;
using Routing.Ipam.Handles;

namespace Routing.Ipam.Store;

/// <summary>
/// A block written together with the handles of its new allocations, all or nothing (etcd: one Txn):
/// an allocation costs one datastore round trip instead of two, and no crash leaves an allocation
/// that no handle knows of. Offered by stores whose datastore has transactions (<see cref="IIpamStore.Transactions"/>).
/// </summary>
public interface IIpamBlockTransactions
{
    /// <summary>
    /// Creates <paramref name="handles"/> and replaces the block if it is still at
    /// <paramref name="expectedRevision"/>, or changes nothing. <see cref="IpamStoreException"/>:
    /// <see cref="IpamStoreError.AlreadyExists"/> naming a handle that exists (it is checked first),
    /// <see cref="IpamStoreError.Conflict"/> or <see cref="IpamStoreError.NotFound"/> for the block.
    /// </summary>
    ValueTask<Versioned<AllocationBlock>> UpdateBlockCreatingHandlesAsync(
        AllocationBlock block, string expectedRevision, IReadOnlyList<IpamHandle> handles, CancellationToken cancellationToken = default);
}
