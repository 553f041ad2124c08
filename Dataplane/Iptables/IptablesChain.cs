namespace Routing.Dataplane.Iptables;

/// <summary>
/// A chain the agent owns, with its rules in order. Immutable: the hashes of its rules are
/// computed once, so handing the same chain to a table again costs a comparison.
/// </summary>
public sealed class IptablesChain
{
    /// <summary>iptables' limit for chain names (XT_EXTENSION_MAXNAMELEN less the NUL).</summary>
    public const int MaxNameLength = 28;

    private string[]? hashes;

    public IptablesChain(string name, IEnumerable<IptablesRule> rules)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(rules);
        if (name.Length is 0 or > MaxNameLength || name.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c is '"' or '\'' or '!'))
        {
            throw new ArgumentException($"chain name \"{name}\" must be 1 to {MaxNameLength} characters without spaces, quotes or '!'", nameof(name));
        }

        Name = name;
        Rules = rules.ToArray();
    }

    public IptablesChain(string name, params IptablesRule[] rules)
        : this(name, (IEnumerable<IptablesRule>)rules)
    {
    }

    public string Name { get; }

    public IReadOnlyList<IptablesRule> Rules { get; }

    /// <summary>The hash of each rule, as its comment carries it.</summary>
    public IReadOnlyList<string> Hashes => hashes ??= RuleHashes.Compute(Name, Rules);

    /// <summary>True when both chains would be written identically.</summary>
    public bool SameContentAs(IptablesChain other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Name == other.Name && Hashes.SequenceEqual(other.Hashes, StringComparer.Ordinal);
    }

    public override string ToString() => $"{Name} ({Rules.Count} rules)";
}
