using Routing.Agent.Datastore.Store;

namespace Routing.Agent.Datastore.Memory;

/// <summary>The compare-and-swap rules of <see cref="IResourceStore"/> writes, applied to a <see cref="ResourceTable"/>.</summary>
internal static class ResourceWrites
{
    public static StoredResource Create(ResourceTable table, ResourceKey key, string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        return table.Change(key, current => current is not null
            ? throw new ResourceStoreException(ResourceStoreError.AlreadyExists, key, $"{key} already exists")
            : ResourceChange.Write(json, new StoredResource(key, json, ResourceRevision.OfContent(json))));
    }

    public static StoredResource Update(ResourceTable table, ResourceKey key, string json, string expectedRevision)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(expectedRevision);
        return table.Change(key, current =>
        {
            if (current is null)
            {
                throw new ResourceStoreException(ResourceStoreError.NotFound, key, $"{key} does not exist");
            }

            if (current.Revision != expectedRevision)
            {
                throw new ResourceStoreException(
                    ResourceStoreError.Conflict, key, $"{key} changed since it was read (revision {expectedRevision}, now {current.Revision}); read it again");
            }

            return ResourceChange.Write(json, new StoredResource(key, json, ResourceRevision.OfContent(json)));
        });
    }

    public static bool Delete(ResourceTable table, ResourceKey key, string? expectedRevision) =>
        table.Change(key, current =>
        {
            if (current is null)
            {
                return ResourceChange.None(false);
            }

            if (expectedRevision is not null && current.Revision != expectedRevision)
            {
                throw new ResourceStoreException(
                    ResourceStoreError.Conflict, key, $"{key} changed since it was read (revision {expectedRevision}, now {current.Revision}); read it again");
            }

            return ResourceChange.Delete(true);
        });
}
