namespace Routing.Policy.Selectors;

/// <summary>
/// A selector in Calico's expression syntax, as GlobalNetworkPolicy writes them:
/// <c>app == 'web' &amp;&amp; !has(legacy)</c>, <c>tier in {'a', 'b'}</c>, <c>all()</c>. Parsed once
/// (<see cref="SelectorParser"/>); <see cref="Canonical"/> is one spelling per expression, usable
/// as a key (ipset names come from it).
/// </summary>
public abstract class SelectorExpression
{
    /// <summary><c>all()</c>: every object.</summary>
    public static SelectorExpression All { get; } = new AllExpression();

    /// <summary>One spelling of this expression: single quotes, sets sorted, fully parenthesised.</summary>
    public abstract string Canonical { get; }

    public abstract bool Matches(IReadOnlyDictionary<string, string> labels);

    /// <summary>Parses <paramref name="text"/>; an empty text is <c>all()</c>.</summary>
    /// <exception cref="FormatException">Not a selector; the message says where and why.</exception>
    public static SelectorExpression Parse(string text) =>
        SelectorParser.TryParse(text, out var expression, out var error) ? expression : throw new FormatException(error);

    public static bool TryParse(string? text, out SelectorExpression expression, out string error) =>
        SelectorParser.TryParse(text, out expression, out error);

    public override string ToString() => Canonical;

    private sealed class AllExpression : SelectorExpression
    {
        public override string Canonical => "all()";

        public override bool Matches(IReadOnlyDictionary<string, string> labels) => true;
    }
}

/// <summary><c>has(key)</c>.</summary>
internal sealed class HasExpression(string key) : SelectorExpression
{
    public override string Canonical => $"has({key})";

    public override bool Matches(IReadOnlyDictionary<string, string> labels) => labels.ContainsKey(key);
}

/// <summary>A comparison of a label's value: ==, !=, in, not in, contains, starts with, ends with.</summary>
internal sealed class LabelComparison(string key, string op, IReadOnlyList<string> values) : SelectorExpression
{
    private readonly HashSet<string> set = new(values, StringComparer.Ordinal);

    public override string Canonical => op is "in" or "not in"
        ? $"{key} {op} {{{string.Join(", ", set.Order(StringComparer.Ordinal).Select(Quote))}}}"
        : $"{key} {op} {Quote(values[0])}";

    /// <summary>Calico's negative operators (!=, not in) hold for objects without the label.</summary>
    public override bool Matches(IReadOnlyDictionary<string, string> labels)
    {
        if (!labels.TryGetValue(key, out var value))
        {
            return op is "!=" or "not in";
        }

        return op switch
        {
            "==" => value == values[0],
            "!=" => value != values[0],
            "in" => set.Contains(value),
            "not in" => !set.Contains(value),
            "contains" => value.Contains(values[0], StringComparison.Ordinal),
            "starts with" => value.StartsWith(values[0], StringComparison.Ordinal),
            "ends with" => value.EndsWith(values[0], StringComparison.Ordinal),
            _ => false,
        };
    }

    private static string Quote(string value) => $"'{value}'";
}

internal sealed class NotExpression(SelectorExpression inner) : SelectorExpression
{
    public override string Canonical => $"!{inner.Canonical}";

    public override bool Matches(IReadOnlyDictionary<string, string> labels) => !inner.Matches(labels);
}

/// <summary>&amp;&amp; or || over two or more operands.</summary>
internal sealed class JunctionExpression(bool and, IReadOnlyList<SelectorExpression> operands) : SelectorExpression
{
    public override string Canonical => "(" + string.Join(and ? " && " : " || ", operands.Select(o => o.Canonical)) + ")";

    public override bool Matches(IReadOnlyDictionary<string, string> labels) =>
        and ? operands.All(o => o.Matches(labels)) : operands.Any(o => o.Matches(labels));
}
