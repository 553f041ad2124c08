namespace Routing.Policy.Compilation;

/// <summary>One iptables rule as written after <c>-A CHAIN</c>, with a note naming the policy rule it comes from.</summary>
public sealed record CompiledRule(string Spec, string? Comment = null)
{
    public override string ToString() => Comment is null ? Spec : $"{Spec}  # {Comment}";
}
