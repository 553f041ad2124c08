namespace Routing.Policy.Selectors;

/// <summary>
/// One <c>matchExpressions</c> entry: a key, an operator (<see cref="SelectorOperators"/>) and
/// values. Kept as written so a validator can name what is wrong; an unknown operator matches
/// nothing (validation rejects it before it gets that far).
/// </summary>
public sealed class LabelSelectorRequirement
{
    private readonly HashSet<string> valueSet;

    public LabelSelectorRequirement(string key, string @operator, IEnumerable<string>? values = null)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(@operator);
        Key = key;
        Operator = @operator;
        Values = values?.ToArray() ?? [];
        valueSet = new HashSet<string>(Values, StringComparer.Ordinal);
        var sorted = valueSet.Order(StringComparer.Ordinal);
        Canonical = Operator switch
        {
            SelectorOperators.Exists => Key,
            SelectorOperators.DoesNotExist => "!" + Key,
            _ => $"{Key} {Operator.ToLowerInvariant()} ({string.Join(',', sorted)})",
        };
    }

    public string Key { get; }

    public string Operator { get; }

    public IReadOnlyList<string> Values { get; }

    /// <summary>Kubernetes' own selector syntax for this requirement, values sorted.</summary>
    public string Canonical { get; }

    public bool Matches(IReadOnlyDictionary<string, string> labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        var has = labels.TryGetValue(Key, out var value);
        return Operator switch
        {
            SelectorOperators.In => has && valueSet.Contains(value!),
            // NotIn holds for objects without the key (apimachinery labels.Requirement).
            SelectorOperators.NotIn => !has || !valueSet.Contains(value!),
            SelectorOperators.Exists => has,
            SelectorOperators.DoesNotExist => !has,
            _ => false,
        };
    }

    public override string ToString() => Canonical;
}
