using Routing.Agent.Datastore.Store;
using Routing.Ipam.Serialization;
using Routing.Ipam.Store;

namespace Routing.Agent.Ipam;

/// <summary>
/// One kind of IPAM record as documents of an <see cref="IResourceStore"/>; the store's errors become
/// IPAM's. Given a <c>copy</c> (for blocks: big documents, read and written by every allocation), it
/// keeps the last record it read or wrote of each name decoded, and hands out a copy of it while the
/// store still has that revision, instead of decoding the same document again.
/// </summary>
internal sealed class ResourceIpamCollection<T>(IResourceStore store, Func<T, T>? copy = null) : IIpamCollection<T>
    where T : class, IIpamRecord
{
    private static readonly string Kind = IpamDocuments.KindOf<T>();

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Versioned<T>> decoded = new(StringComparer.Ordinal);

    public async ValueTask<Versioned<T>?> GetAsync(string name, CancellationToken cancellationToken = default)
    {
        var stored = await store.GetAsync(Key(name), cancellationToken).ConfigureAwait(false);
        if (stored is null)
        {
            return null;
        }

        if (copy is null)
        {
            return Read(stored);
        }

        if (decoded.TryGetValue(name, out var known) && known.Revision == stored.Revision)
        {
            return new Versioned<T>(copy(known.Value), known.Revision);
        }

        var read = Read(stored);
        decoded[name] = new Versioned<T>(copy(read.Value), read.Revision);
        return read;
    }

    public async ValueTask<IReadOnlyList<Versioned<T>>> ListAsync(CancellationToken cancellationToken = default)
    {
        var list = await store.ListAsync(Kind, cancellationToken).ConfigureAwait(false);
        return [.. list.Items.Select(Read)];
    }

    public async ValueTask<IReadOnlyList<string>> ListNamesAsync(CancellationToken cancellationToken = default) =>
        [.. (await ListRevisionsAsync(cancellationToken).ConfigureAwait(false)).Select(r => r.Name)];

    /// <summary>Without the documents where the store can (etcd: keys only); never decoded.</summary>
    public async ValueTask<IReadOnlyList<NamedRevision>> ListRevisionsAsync(CancellationToken cancellationToken = default)
    {
        if (store is IResourceRevisions revisions)
        {
            return [.. (await revisions.ListRevisionsAsync(Kind, cancellationToken).ConfigureAwait(false)).Select(r => new NamedRevision(r.Key.Name, r.Revision))];
        }

        var list = await store.ListAsync(Kind, cancellationToken).ConfigureAwait(false);
        return [.. list.Items.Select(i => new NamedRevision(i.Key.Name, i.Revision))];
    }

    public async ValueTask<Versioned<T>> CreateAsync(T record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        try
        {
            var stored = await store.CreateAsync(Key(record.Name), IpamDocuments.Serialize(record), cancellationToken).ConfigureAwait(false);
            return Written(record, stored.Revision);
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
            return Written(record, stored.Revision);
        }
        catch (ResourceStoreException e)
        {
            throw Translate(e, record.Name);
        }
    }

    public async ValueTask DeleteAsync(string name, string expectedRevision, CancellationToken cancellationToken = default)
    {
        decoded.TryRemove(name, out _);
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

    /// <summary>A record just written (here or in a transaction) at <paramref name="revision"/>, remembered decoded.</summary>
    internal Versioned<T> Written(T record, string revision)
    {
        if (copy is not null)
        {
            decoded[record.Name] = new Versioned<T>(copy(record), revision);
        }

        return new Versioned<T>(record, revision);
    }

    internal static ResourceKey Key(string name) => ResourceKey.ClusterScoped(Kind, name);

    internal static Versioned<T> Read(StoredResource stored)
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

    internal static IpamStoreException Translate(ResourceStoreException e, string name) => e.Error switch
    {
        ResourceStoreError.AlreadyExists => new IpamStoreException(IpamStoreError.AlreadyExists, Kind, name),
        ResourceStoreError.Conflict => new IpamStoreException(IpamStoreError.Conflict, Kind, name),
        ResourceStoreError.NotFound => new IpamStoreException(IpamStoreError.NotFound, Kind, name),
        _ => new IpamStoreException($"{Kind} {name}: {e.Message}", e),
    };
}
