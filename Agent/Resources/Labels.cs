using System.Collections;
using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;

namespace Routing.Agent.Resources;

/// <summary>A resource's <c>metadata.labels</c>: an immutable map with value equality, ordered by key.</summary>
[SuppressMessage("Naming", "CA1710:Identifiers should have correct suffix", Justification = "Kubernetes' own word for them.")]
public sealed class Labels : IReadOnlyDictionary<string, string>, IEquatable<Labels>
{
    private readonly ImmutableSortedDictionary<string, string> items;

    private Labels(ImmutableSortedDictionary<string, string> items)
    {
        this.items = items;
    }

    public static Labels Empty { get; } = new(ImmutableSortedDictionary.Create<string, string>(StringComparer.Ordinal, StringComparer.Ordinal));

    public static Labels Create(IEnumerable<KeyValuePair<string, string>> labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        var items = Empty.items.SetItems(labels);
        return items.IsEmpty ? Empty : new Labels(items);
    }

    public static Labels Create(params (string Key, string Value)[] labels) =>
        Create(labels.Select(label => KeyValuePair.Create(label.Key, label.Value)));

    public string this[string key] => items[key];

    public IEnumerable<string> Keys => items.Keys;

    public IEnumerable<string> Values => items.Values;

    public int Count => items.Count;

    public bool ContainsKey(string key) => items.ContainsKey(key);

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out string value) => items.TryGetValue(key, out value);

    public IEnumerator<KeyValuePair<string, string>> GetEnumerator() => items.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public bool Equals(Labels? other) =>
        other is not null && (ReferenceEquals(this, other) || (Count == other.Count && items.SequenceEqual(other.items)));

    public override bool Equals(object? obj) => obj is Labels other && Equals(other);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var (key, value) in items)
        {
            hash.Add(key, StringComparer.Ordinal);
            hash.Add(value, StringComparer.Ordinal);
        }

        return hash.ToHashCode();
    }

    public static bool operator ==(Labels? left, Labels? right) => Equals(left, right);

    public static bool operator !=(Labels? left, Labels? right) => !Equals(left, right);

    public override string ToString() => "{" + string.Join(", ", items.Select(label => $"{label.Key}={label.Value}")) + "}";
}
