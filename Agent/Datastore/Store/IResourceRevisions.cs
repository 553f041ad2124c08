namespace Routing.Agent.Datastore.Store;

/// <summary>
/// A datastore that lists which resources of a kind exist and their revisions without their
/// documents (etcd: a keys-only range): what changed since it was last read, for the price of the
/// keys alone.
/// </summary>
public interface IResourceRevisions
{
    /// <summary>Every resource of a kind (in every namespace) and its revision, at one revision of the store.</summary>
    Task<IReadOnlyList<KeyRevision>> ListRevisionsAsync(string kind, CancellationToken cancellationToken = default);
}

/// <summary>A resource's key and the revision it was last written at, as <see cref="StoredResource"/> without the document.</summary>
public readonly record struct KeyRevision(ResourceKey Key, string Revision);
