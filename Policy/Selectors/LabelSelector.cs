namespace Routing.Policy.Selectors;

/// <summary>
/// A Kubernetes label selector (<c>metav1.LabelSelector</c>): every <see cref="MatchLabels"/> pair
/// and every requirement of <see cref="MatchExpressions"/> must hold (AND). An empty selector
/// selects everything; a missing one (null where a selector is optional) selects nothing.
/// </summary>
public sealed class LabelSelector
{
    private static readonly Dictionary<string, string> NoLabels = new(StringComparer.Ordinal);

    // What Matches walks, as arrays: a walk over the interfaces allocates an enumerator (and a
    // sorted dictionary's a stack) on each of the compiler's hundreds of thousands of matches.
    private readonly KeyValuePair<string, string>[] pairs;
    private readonly LabelSelectorRequirement[] requirements;

    public LabelSelector(
        IReadOnlyDictionary<string, string>? matchLabels = null,
        IEnumerable<LabelSelectorRequirement>? matchExpressions = null)
    {
        MatchLabels = matchLabels is null
            ? NoLabels
            : new SortedDictionary<string, string>(matchLabels.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal), StringComparer.Ordinal);
        requirements = matchExpressions?.ToArray() ?? [];
        MatchExpressions = requirements;
        pairs = [.. MatchLabels];
        Canonical = BuildCanonical();
    }

    /// <summary>The selector that selects every object.</summary>
    public static LabelSelector Everything { get; } = new();

    public IReadOnlyDictionary<string, string> MatchLabels { get; }

    public IReadOnlyList<LabelSelectorRequirement> MatchExpressions { get; }

    public bool IsEmpty => MatchLabels.Count == 0 && MatchExpressions.Count == 0;

    /// <summary>
    /// One spelling per meaning (keys and values sorted), usable as a key: two selectors that
    /// select the same by construction have the same text, e.g. <c>app=web,tier in (a,b)</c>.
    /// </summary>
    public string Canonical { get; }

    /// <summary>True when <paramref name="labels"/> satisfy every pair and every requirement.</summary>
    public bool Matches(IReadOnlyDictionary<string, string> labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        foreach (var (key, value) in pairs)
        {
            if (!labels.TryGetValue(key, out var actual) || !string.Equals(actual, value, StringComparison.Ordinal))
            {
                return false;
            }
        }

        foreach (var requirement in requirements)
        {
            if (!requirement.Matches(labels))
            {
                return false;
            }
        }

        return true;
    }

    private string BuildCanonical()
    {
        var parts = MatchLabels.Select(p => $"{p.Key}={p.Value}")
            .Concat(MatchExpressions.Select(e => e.Canonical))
            .Order(StringComparer.Ordinal)
            .Distinct(StringComparer.Ordinal);
        return string.Join(',', parts);
    }

    public override string ToString() => IsEmpty ? "{}" : Canonical;
}
