namespace Routing.Ipam.Pools;

/// <summary>
/// Evaluates a pool's <c>nodeSelector</c> against a node's labels. Selectors are the agent's
/// business (it knows the nodes); IPAM only asks.
/// </summary>
public interface INodeSelectorEvaluator
{
    /// <summary>True when <paramref name="selector"/> picks <paramref name="node"/>.</summary>
    bool Selects(string selector, string node);
}

/// <summary>An evaluator over a delegate, for callers and tests that have one at hand.</summary>
public sealed class DelegateNodeSelectorEvaluator(Func<string, string, bool> selects) : INodeSelectorEvaluator
{
    public bool Selects(string selector, string node) => selects(selector, node);
}

/// <summary>
/// The evaluator when the caller gives none: only <c>all()</c> (or an empty selector) can be
/// evaluated, any other selector is refused rather than guessed.
/// </summary>
public sealed class AllNodesOnlyEvaluator : INodeSelectorEvaluator
{
    public static AllNodesOnlyEvaluator Instance { get; } = new();

    public bool Selects(string selector, string node) =>
        throw new NotSupportedException($"nodeSelector '{selector}' needs a selector evaluator; the IPAM allocator was given none.");
}
