namespace Routing.Ipam.Blocks;

/// <summary>
/// Who an allocation belongs to: the handle, and secondary attributes (namespace, pod, node) for
/// people and the garbage collector. Allocations with equal attributes share one entry in a block.
/// </summary>
public sealed class AllocationAttribute : IEquatable<AllocationAttribute>
{
    private static readonly IReadOnlyDictionary<string, string> None = new Dictionary<string, string>();

    public AllocationAttribute(string? handleId, IReadOnlyDictionary<string, string>? secondary = null)
    {
        HandleId = handleId;
        Secondary = secondary is null || secondary.Count == 0
            ? None
            : new SortedDictionary<string, string>(secondary.ToDictionary(), StringComparer.Ordinal);
    }

    /// <summary>The handle the allocation is recorded against; null only in documents written by hand.</summary>
    public string? HandleId { get; }

    /// <summary>Free-form attributes, see <see cref="IpamAttributes"/>.</summary>
    public IReadOnlyDictionary<string, string> Secondary { get; }

    public bool Equals(AllocationAttribute? other) =>
        other is not null
        && HandleId == other.HandleId
        && Secondary.Count == other.Secondary.Count
        && Secondary.All(pair => other.Secondary.TryGetValue(pair.Key, out var value) && value == pair.Value);

    public override bool Equals(object? obj) => Equals(obj as AllocationAttribute);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(HandleId);
        foreach (var pair in Secondary)
        {
            hash.Add(pair.Key);
            hash.Add(pair.Value);
        }

        return hash.ToHashCode();
    }
}
