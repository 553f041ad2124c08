using Routing.Policy.Model;
using Routing.Policy.Validation;

namespace Routing.Policy.Compilation;

/// <summary>
/// Compiles a <see cref="PolicyModel"/> into the filter table's chains and ipsets, after felix's
/// layout, with the policies of all local pods in one tier chain per direction, each policy behind
/// the set of the pods it applies to. Pure: the same model always gives the same ruleset.
/// <code>
/// FORWARD  -i cali+ / -o cali+ → fwd
/// fwd      ESTABLISHED,RELATED → ACCEPT; INVALID → DROP;
///          -i cali+ → from-wl (egress of the source pod); -o cali+ → to-wl (ingress of the destination pod); ACCEPT
/// from-wl  a local pod's address from its own interface (set) → goto egress; anything else on a pod interface → DROP (fail closed)
/// egress   clear mark; in the set of POLICY's pods → pe-POLICY; marked → RETURN; … (every policy, in order);
///          isolated pod (set) → DROP; RETURN
/// pe-POLICY one rule per (peer, port) of each egress rule: match → set mark
/// </code>
/// Chain names come from the policy (namespace/name), set names from what the set means
/// (<see cref="SetCatalog"/>): a changed policy rewrites only its chains and the tier chains, and a
/// pod relabelled, added or removed changes only set members (no rule is written).
/// </summary>
public sealed partial class PolicyCompiler
{
    private readonly PolicyCompilerOptions options;

    public PolicyCompiler(PolicyCompilerOptions? options = null)
    {
        this.options = options ?? new PolicyCompilerOptions();
        this.options.Validate();
    }

    public PolicyCompilerOptions Options => options;

    public string ForwardChain => options.ChainPrefix + "fwd";

    public string FromWorkloadDispatch => options.ChainPrefix + "from-wl";

    public string ToWorkloadDispatch => options.ChainPrefix + "to-wl";

    /// <summary>The chain that runs every local pod's policies for <paramref name="direction"/>, each for the pods it applies to.</summary>
    public string TierChain(PolicyDirection direction) =>
        options.ChainPrefix + (direction == PolicyDirection.Egress ? "egress" : "ingress");

    public string PolicyChain(PolicyDirection direction, NetworkPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return options.ChainPrefix + (direction == PolicyDirection.Egress ? "pe-" : "pi-") + ContentNames.Hash(policy.Key);
    }

    /// <summary>
    /// The ruleset for <paramref name="model"/>. Throws <see cref="PolicyValidationException"/>
    /// when a policy is invalid: nothing is compiled from a model that is partly wrong.
    /// </summary>
    public PolicyRuleset Compile(PolicyModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        Validate(model);
        var sets = new SetCatalog(model, options);
        var chains = new List<CompiledChain>();
        var namespaces = LocalNamespaces(model);
        foreach (var direction in PolicyDirections.Both)
        {
            var policies = model.PoliciesIn(direction, namespaces);
            chains.AddRange(policies.Select(p => CompileAppliedPolicy(direction, p, sets)));
            chains.Add(CompileTier(direction, policies, sets));
        }

        chains.AddRange(Fixed(sets));
        return new PolicyRuleset(chains.OrderBy(c => c.Name, StringComparer.Ordinal).ToArray(), sets.All, ForwardRules());
    }

    /// <summary>Throws <see cref="PolicyValidationException"/> when a policy of <paramref name="model"/> is invalid.</summary>
    internal static void Validate(PolicyModel model)
    {
        var errors = model.Policies.SelectMany(p => NetworkPolicyValidator.Validate(p).Select(e => (p.Key, e)))
            .Concat(model.GlobalPolicies.SelectMany(p => GlobalNetworkPolicyValidator.Validate(p).Select(e => (p.Key, e))))
            .ToArray();
        if (errors.Length > 0)
        {
            throw new PolicyValidationException(errors);
        }
    }

    /// <summary>The namespaces of the local pods, ordered: the policies of these can apply on this node.</summary>
    internal static string[] LocalNamespaces(PolicyModel model) =>
        model.Endpoints.Where(e => e.IsLocal).Select(e => e.Namespace).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();

    internal CompiledChain CompileAppliedPolicy(PolicyDirection direction, AppliedPolicy policy, SetCatalog sets) =>
        policy.Global is { } global ? CompileGlobalPolicy(direction, global, sets) : CompilePolicy(direction, policy.Kubernetes!, sets);

    /// <summary>The chains every ruleset has: the two dispatch chains over the local pods, and the forward chain.</summary>
    internal IEnumerable<CompiledChain> Fixed(SetCatalog sets) =>
        [Dispatch(PolicyDirection.Egress, sets), Dispatch(PolicyDirection.Ingress, sets), Forward()];

    internal CompiledRule[] ForwardRules()
    {
        var wildcard = options.InterfacePrefix + "+";
        return
        [
            new($"-i {wildcard} -j {ForwardChain}", "traffic from pods"),
            new($"-o {wildcard} -j {ForwardChain}", "traffic to pods"),
        ];
    }

    private CompiledChain Forward()
    {
        var wildcard = options.InterfacePrefix + "+";
        return new CompiledChain(ForwardChain,
        [
            new("-m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT", "replies and related traffic of allowed connections"),
            new("-m conntrack --ctstate INVALID -j DROP", "packets conntrack cannot place"),
            new($"-i {wildcard} -j {FromWorkloadDispatch}", "egress policy of the source pod"),
            new($"-o {wildcard} -j {ToWorkloadDispatch}", "ingress policy of the destination pod"),
            new("-j ACCEPT", "allowed by both sides"),
        ]);
    }

    /// <summary>The pod's side of the packet: its source address for egress, its destination for ingress.</summary>
    private static string Side(PolicyDirection direction) => direction == PolicyDirection.Egress ? "src" : "dst";

    private CompiledChain Dispatch(PolicyDirection direction, SetCatalog sets)
    {
        var flag = direction == PolicyDirection.Egress ? "-i" : "-o";
        return new CompiledChain(direction == PolicyDirection.Egress ? FromWorkloadDispatch : ToWorkloadDispatch,
        [
            new($"-m set --match-set {sets.LocalPods()} {Side(direction)},{Side(direction)} -g {TierChain(direction)}", "a pod of this node, with its own address"),
            new($"{flag} {options.InterfacePrefix}+ -j DROP", "unknown pod interface, or not the pod's address: fail closed"),
        ]);
    }

    /// <summary>
    /// Every policy that can apply to a local pod, in the order a pod evaluates its own: each one's
    /// chain for the pods in its set, then RETURN (this direction allows) when it set the accept
    /// mark, or the pass mark (a Pass rule: the rest of the tier is skipped and the profile
    /// allows); DROP for a pod some policy applies to when none did; RETURN (not isolated) for the others.
    /// </summary>
    internal CompiledChain CompileTier(PolicyDirection direction, IReadOnlyList<AppliedPolicy> policies, SetCatalog sets)
    {
        var name = TierChain(direction);
        var word = direction == PolicyDirection.Egress ? "egress" : "ingress";
        if (policies.Count == 0)
        {
            return new CompiledChain(name, [new CompiledRule("-j RETURN", $"no policy isolates {word}")]);
        }

        var side = Side(direction);
        var passes = policies.Any(p => Passes(p, direction));
        var rules = new List<CompiledRule>((policies.Count * 2) + 3) { new($"-j MARK --set-xmark 0x0/{(passes ? options.BothMarks : options.Mark)}") };
        foreach (var policy in policies)
        {
            var chain = policy.Global is { } global ? GlobalPolicyChain(direction, global) : PolicyChain(direction, policy.Kubernetes!);
            rules.Add(new CompiledRule($"-m set --match-set {sets.PolicyPods(policy, direction)} {side} -j {chain}", $"{policy.Key} {word}"));
            rules.Add(new CompiledRule($"-m mark --mark {options.Mark}/{options.Mark} -j RETURN", $"allowed by {policy.Key}"));
            if (Passes(policy, direction))
            {
                rules.Add(new CompiledRule($"-m mark --mark {options.Pass}/{options.Pass} -j RETURN", $"passed by {policy.Key} to the profile"));
            }
        }

        rules.Add(new CompiledRule($"-m set --match-set {sets.IsolatedPods(direction)} {side} -j DROP", $"isolated for {word} and no rule allows"));
        rules.Add(new CompiledRule("-j RETURN", $"no policy isolates {word}"));
        return new CompiledChain(name, rules);
    }

    private static bool Passes(AppliedPolicy policy, PolicyDirection direction) =>
        policy.Global is { } global && global.RulesOf(direction).Any(r => r.Action == RuleAction.Pass);
}
