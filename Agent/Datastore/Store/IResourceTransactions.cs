namespace Routing.Agent.Datastore.Store;

/// <summary>
/// A datastore that applies several writes at once, all or none (etcd: one Txn; the file store: one
/// journal line): a change that spans resources (an IPAM block and the handles of its new
/// allocations) costs one round trip, and no crash or concurrent reader sees half of it.
/// </summary>
public interface IResourceTransactions
{
    /// <summary>
    /// Applies every write if each one's condition holds, otherwise none. Throws
    /// <see cref="ResourceStoreException"/> for the first write (in order) whose condition failed:
    /// <see cref="ResourceStoreError.AlreadyExists"/> for a create, <see cref="ResourceStoreError.Conflict"/>
    /// or <see cref="ResourceStoreError.NotFound"/> for an update or delete. Returns the revision
    /// each resource written now has (null for a deletion), in the order of the writes.
    /// </summary>
    Task<IReadOnlyList<string?>> WriteAllAsync(IReadOnlyList<ResourceWrite> writes, CancellationToken cancellationToken = default);
}
