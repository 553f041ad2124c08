namespace Routing.Agent.Datastore.Store;

/// <summary>
/// The one interface over the file, etcd and Kubernetes datastores: typed keys, whole JSON
/// documents, and compare-and-swap on the revision for every write. Implementations are safe to
/// call concurrently.
/// </summary>
public interface IResourceStore : IAsyncDisposable
{
    /// <summary>The resource, or null when there is none with that key.</summary>
    Task<StoredResource?> GetAsync(ResourceKey key, CancellationToken cancellationToken = default);

    /// <summary>Every resource of a kind (in every namespace), and the store's revision at that moment.</summary>
    Task<ResourceList> ListAsync(string kind, CancellationToken cancellationToken = default);

    /// <summary>Creates the resource; <see cref="ResourceStoreError.AlreadyExists"/> if the key is taken.</summary>
    Task<StoredResource> CreateAsync(ResourceKey key, string json, CancellationToken cancellationToken = default);

    /// <summary>Replaces the resource if it is still at <paramref name="expectedRevision"/>; <see cref="ResourceStoreError.Conflict"/> or <see cref="ResourceStoreError.NotFound"/> otherwise.</summary>
    Task<StoredResource> UpdateAsync(ResourceKey key, string json, string expectedRevision, CancellationToken cancellationToken = default);

    /// <summary>
    /// Deletes the resource, only if it is still at <paramref name="expectedRevision"/> when one is
    /// given. False when there was nothing to delete; <see cref="ResourceStoreError.Conflict"/> when
    /// it changed since.
    /// </summary>
    Task<bool> DeleteAsync(ResourceKey key, string? expectedRevision = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// The changes to a kind after <paramref name="afterRevision"/> (from a <see cref="ListAsync"/>),
    /// in order, until cancelled. A dropped connection is resumed from the last revision seen, without
    /// losing or repeating events; when that revision is no longer kept the enumeration throws
    /// <see cref="ResourceStoreException"/> with <see cref="ResourceStoreError.Expired"/>, and the caller lists again.
    /// </summary>
    IAsyncEnumerable<ResourceEvent> WatchAsync(string kind, string afterRevision, CancellationToken cancellationToken = default);
}
