namespace Routing.Agent.Datastore.Store;

/// <summary>Every resource of one kind at one revision of the store; a watch from <see cref="Revision"/> misses nothing.</summary>
public sealed record ResourceList(IReadOnlyList<StoredResource> Items, string Revision);
