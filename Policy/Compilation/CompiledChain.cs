namespace Routing.Policy.Compilation;

/// <summary>A chain of the filter table the compiler wants, its rules in order.</summary>
public sealed record CompiledChain(string Name, IReadOnlyList<CompiledRule> Rules)
{
    public override string ToString() => $"{Name} ({Rules.Count} rules)";
}
