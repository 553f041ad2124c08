namespace Routing.Policy.Compilation;

/// <summary>
/// What a model compiles to: the chains and sets of the filter table, and the rules that go
/// first in the built-in FORWARD chain to send pod traffic into them.
/// </summary>
public sealed record PolicyRuleset(IReadOnlyList<CompiledChain> Chains, IReadOnlyList<CompiledSet> Sets, IReadOnlyList<CompiledRule> ForwardRules)
{
    public CompiledChain Chain(string name) => Chains.Single(c => c.Name == name);

    public int RuleCount => Chains.Sum(c => c.Rules.Count) + ForwardRules.Count;
}
