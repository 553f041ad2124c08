using Routing.Agent.Datastore.Store;

namespace Routing.Agent.Datastore.FileStore;

public sealed partial class FileResourceStore : IResourceTransactions
{
    /// <summary>
    /// Under the cross-process lock, like a single write: every condition checked, then one journal
    /// line for all the writes, so that no reader (in any process) applies part of them. Journal
    /// kinds only (what the agent writes: IPAM blocks, affinities, handles).
    /// </summary>
    public async Task<IReadOnlyList<string?>> WriteAllAsync(IReadOnlyList<ResourceWrite> writes, CancellationToken cancellationToken = default)
    {
        ResourceWrite.Validate(writes);
        var canonical = new (ResourceKey Key, string? Json)[writes.Count];
        for (var i = 0; i < writes.Count; i++)
        {
            var write = writes[i];
            if (!StateKinds.Contains(write.Key.Kind))
            {
                throw new ArgumentException($"{write.Key}: the file store writes only {string.Join(", ", StateKinds)} in a transaction", nameof(writes));
            }

            canonical[i] = (write.Key, write.Json is null ? null : Canonical(write.Key, write.Json));
        }

        using (await pathLock.EnterExclusiveAsync(cancellationToken).ConfigureAwait(false))
        {
            CatchUp(writes[0].Key.Kind);
            foreach (var write in writes)
            {
                var current = table.Get(write.Key);
                if (write.IsCreate && current is not null)
                {
                    throw new ResourceStoreException(ResourceStoreError.AlreadyExists, write.Key, $"{write.Key} already exists");
                }

                if (!write.IsCreate && current is null)
                {
                    throw new ResourceStoreException(ResourceStoreError.NotFound, write.Key, $"{write.Key} does not exist");
                }

                if (!write.IsCreate && current!.Revision != write.ExpectedRevision)
                {
                    throw Conflict(write.Key, write.ExpectedRevision!, current);
                }
            }

            journal.AppendAll(canonical);
            foreach (var (key, json) in canonical)
            {
                if (json is null)
                {
                    table.Remove(key);
                }
                else
                {
                    table.Put(key, json);
                }
            }

            journal.CompactIfWorthIt(() => table.All().Where(r => StateKinds.Contains(r.Key.Kind)));
            return [.. canonical.Select(w => w.Json is null ? null : table.Get(w.Key)!.Revision)];
        }
    }
}
