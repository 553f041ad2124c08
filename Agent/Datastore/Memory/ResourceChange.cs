namespace Routing.Agent.Datastore.Memory;

/// <summary>What a <see cref="ResourceTable.Change{T}"/> decision does: write <see cref="Json"/>, remove the resource, or nothing; and what it returns.</summary>
public readonly record struct ResourceChange<T>(T Result, string? Json = null, bool Remove = false);

public static class ResourceChange
{
    public static ResourceChange<T> None<T>(T result) => new(result);

    public static ResourceChange<T> Write<T>(string json, T result) => new(result, json);

    public static ResourceChange<T> Delete<T>(T result) => new(result, Remove: true);
}
