namespace Routing.Agent.Datastore.Store;

/// <summary>
/// One write of a transaction (<see cref="IResourceTransactions"/>): a create (no expected revision),
/// an update (a document and the revision it replaces) or a delete (no document, the revision it deletes).
/// </summary>
public readonly record struct ResourceWrite(ResourceKey Key, string? Json, string? ExpectedRevision)
{
    public static ResourceWrite Create(ResourceKey key, string json) => new(key, json ?? throw new ArgumentNullException(nameof(json)), null);

    public static ResourceWrite Update(ResourceKey key, string json, string expectedRevision) =>
        new(key, json ?? throw new ArgumentNullException(nameof(json)), expectedRevision ?? throw new ArgumentNullException(nameof(expectedRevision)));

    public static ResourceWrite Delete(ResourceKey key, string expectedRevision) =>
        new(key, null, expectedRevision ?? throw new ArgumentNullException(nameof(expectedRevision)));

    public bool IsCreate => ExpectedRevision is null;

    /// <summary>Throws when the write is neither a create, an update nor a delete, or a key is written twice.</summary>
    public static void Validate(IReadOnlyList<ResourceWrite> writes)
    {
        ArgumentNullException.ThrowIfNull(writes);
        var keys = new HashSet<ResourceKey>();
        foreach (var write in writes)
        {
            if (write.Json is null && write.ExpectedRevision is null)
            {
                throw new ArgumentException($"{write.Key}: a write needs a document, a revision, or both", nameof(writes));
            }

            if (!keys.Add(write.Key))
            {
                throw new ArgumentException($"{write.Key} is written twice in one transaction", nameof(writes));
            }
        }
    }
}
