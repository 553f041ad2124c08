using Routing.Agent.Datastore.Store;
using Routing.Ipam.Serialization;
using Routing.Ipam.Store;

namespace Routing.Agent.Ipam;

/// <summary>One kind of IPAM record as documents of an <see cref="IResourceStore"/>; the store's errors become IPAM's.</summary>
internal sealed class ResourceIpamCollection<T>(IResourceStore store) : IIpamCollection<T>
    where T : class, IIpamRecord
{
    private static readonly string Kind = IpamDocuments.KindOf<T>();

    public async ValueTask<Versioned<T>?> GetAsync(string name, CancellationToken cancellationToken = default)
    {
        var stored = await store.GetAsync(Key(name), cancellationToken).ConfigureAwait(false);
        return stored is null ? null : Read(stored);
    }

    public async ValueTask<IReadOnlyList<Versioned<T>>> ListAsync(CancellationToken cancellationToken = default)
    {
        var list = await store.ListAsync(Kind, cancellationToken).ConfigureAwait(false);
        return [.. list.Items.Select(Read)];
    }

    public async ValueTask<Versioned<T>> CreateAsync(T record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        try
        {
            var stored = await store.CreateAsync(Key(record.Name), IpamDocuments.Serialize(record), cancellationToken).ConfigureAwait(false);
            return new Versioned<T>(record, stored.Revision);
        }
        catch (ResourceStoreException e)
        {
            throw Translate(e, record.Name);
        }
    }

    public async ValueTask<Versioned<T>> UpdateAsync(T record, string expectedRevision, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        try
        {
            var stored = await store.UpdateAsync(Key(record.Name), IpamDocuments.Serialize(record), expectedRevision, cancellationToken).ConfigureAwait(false);
            return new Versioned<T>(record, stored.Revision);
        }
        catch (ResourceStoreException e)
        {
            throw Translate(e, record.Name);
        }
    }

    public async ValueTask DeleteAsync(string name, string expectedRevision, CancellationToken cancellationToken = default)
    {
        try
        {
            if (!await store.DeleteAsync(Key(name), expectedRevision, cancellationToken).ConfigureAwait(false))
            {
                throw new IpamStoreException(IpamStoreError.NotFound, Kind, name);
            }
        }
        catch (ResourceStoreException e)
        {
            throw Translate(e, name);
        }
    }

    private static ResourceKey Key(string name) => ResourceKey.ClusterScoped(Kind, name);

    private static Versioned<T> Read(StoredResource stored)
    {
        try
        {
            return new Versioned<T>(IpamDocuments.Deserialize<T>(stored.Json), stored.Revision);
        }
        catch (FormatException e)
        {
            throw new FormatException($"{stored.Key}: {e.Message}", e);
        }
    }

    private static IpamStoreException Translate(ResourceStoreException e, string name) => e.Error switch
    {
        ResourceStoreError.AlreadyExists => new IpamStoreException(IpamStoreError.AlreadyExists, Kind, name),
        ResourceStoreError.Conflict => new IpamStoreException(IpamStoreError.Conflict, Kind, name),
        ResourceStoreError.NotFound => new IpamStoreException(IpamStoreError.NotFound, Kind, name),
        _ => new IpamStoreException($"{Kind} {name}: {e.Message}", e),
    };
}
