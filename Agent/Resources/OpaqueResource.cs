namespace Routing.Agent.Resources;

/// <summary>
/// A document of a kind this build does not parse into a typed record yet (IPPool,
/// GlobalNetworkPolicy, Kubernetes kinds, …): kept whole so that a later reader can parse
/// <see cref="Yaml"/>. Equality ignores where the document sat in the file.
/// </summary>
public sealed record OpaqueResource
{
    public required string ApiVersion { get; init; }

    public required string Kind { get; init; }

    public required string Name { get; init; }

    /// <summary><c>metadata.namespace</c>, for namespaced kinds.</summary>
    public string? Namespace { get; init; }

    /// <summary>The document's text as written, comments included, without the <c>---</c> separators.</summary>
    public required string Yaml { get; init; }

    /// <summary>The document's 1-based index in its file, for messages.</summary>
    public int Document { get; init; }

    /// <summary>The 1-based line the document starts on, for messages.</summary>
    public int Line { get; init; }

    public bool Equals(OpaqueResource? other) =>
        other is not null && ApiVersion == other.ApiVersion && Kind == other.Kind && Name == other.Name &&
        Namespace == other.Namespace && Yaml == other.Yaml;

    public override int GetHashCode() => HashCode.Combine(ApiVersion, Kind, Name, Namespace, Yaml);
}
