using Routing.Agent.Datastore.Store;

namespace Routing.Agent.Datastore.Memory;

/// <summary>A datastore in this process's memory: for tests, and for one-shot tools.</summary>
public sealed class MemoryResourceStore(int historyLimit = 100_000) : IResourceStore
{
    private readonly ResourceTable table = new(historyLimit);

    public Task<StoredResource?> GetAsync(ResourceKey key, CancellationToken cancellationToken = default) => Task.FromResult(table.Get(key));

    public Task<ResourceList> ListAsync(string kind, CancellationToken cancellationToken = default) => Task.FromResult(table.List(kind));

    public Task<StoredResource> CreateAsync(ResourceKey key, string json, CancellationToken cancellationToken = default) =>
        Task.FromResult(ResourceWrites.Create(table, key, json));

    public Task<StoredResource> UpdateAsync(ResourceKey key, string json, string expectedRevision, CancellationToken cancellationToken = default) =>
        Task.FromResult(ResourceWrites.Update(table, key, json, expectedRevision));

    public Task<bool> DeleteAsync(ResourceKey key, string? expectedRevision = null, CancellationToken cancellationToken = default) =>
        Task.FromResult(ResourceWrites.Delete(table, key, expectedRevision));

    public IAsyncEnumerable<ResourceEvent> WatchAsync(string kind, string afterRevision, CancellationToken cancellationToken = default) =>
        table.WatchAsync(kind, afterRevision, cancellationToken);

    /// <summary>Forgets the change log up to a list revision (as etcd compacts): for tests of watch expiry.</summary>
    internal void ForgetThrough(string revision) => table.ForgetThrough(revision);

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
