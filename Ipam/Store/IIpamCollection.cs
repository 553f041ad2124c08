namespace Routing.Ipam.Store;

/// <summary>
/// One kind of IPAM record in a store. Every write is a compare-and-swap on the revision the caller
/// read, so two allocators never both win the same change. Records handed out are the caller's to
/// modify: a store never shares its own copy.
/// </summary>
public interface IIpamCollection<T>
    where T : class, IIpamRecord
{
    /// <summary>The record, or null when there is none of that name.</summary>
    ValueTask<Versioned<T>?> GetAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Every record of the kind.</summary>
    ValueTask<IReadOnlyList<Versioned<T>>> ListAsync(CancellationToken cancellationToken = default);

    /// <summary>The names of every record of the kind: for a store that can list them without decoding each record.</summary>
    async ValueTask<IReadOnlyList<string>> ListNamesAsync(CancellationToken cancellationToken = default) =>
        [.. (await ListAsync(cancellationToken).ConfigureAwait(false)).Select(r => r.Value.Name)];

    /// <summary>
    /// The name and revision of every record of the kind: for a store that can list them without the
    /// records (an etcd keys-only range), to tell which records changed since they were read.
    /// </summary>
    async ValueTask<IReadOnlyList<NamedRevision>> ListRevisionsAsync(CancellationToken cancellationToken = default) =>
        [.. (await ListAsync(cancellationToken).ConfigureAwait(false)).Select(r => new NamedRevision(r.Value.Name, r.Revision))];

    /// <summary>Creates the record; <see cref="IpamStoreError.AlreadyExists"/> when the name is taken.</summary>
    ValueTask<Versioned<T>> CreateAsync(T record, CancellationToken cancellationToken = default);

    /// <summary>
    /// Replaces the record if it is still at <paramref name="expectedRevision"/>;
    /// <see cref="IpamStoreError.Conflict"/> when it changed, <see cref="IpamStoreError.NotFound"/> when it is gone.
    /// </summary>
    ValueTask<Versioned<T>> UpdateAsync(T record, string expectedRevision, CancellationToken cancellationToken = default);

    /// <summary>
    /// Deletes the record if it is still at <paramref name="expectedRevision"/>;
    /// <see cref="IpamStoreError.Conflict"/> when it changed, <see cref="IpamStoreError.NotFound"/> when it is gone.
    /// </summary>
    ValueTask DeleteAsync(string name, string expectedRevision, CancellationToken cancellationToken = default);
}

/// <summary>A record's name and the revision it is at (<see cref="IIpamCollection{T}.ListRevisionsAsync"/>).</summary>
public readonly record struct NamedRevision(string Name, string Revision);
