using Routing.Policy.Model;
using Routing.Policy.Validation;

namespace Routing.Policy.Compilation;

/// <summary>
/// Compiles a <see cref="PolicyModel"/> into the filter table's chains and ipsets, after felix's
/// layout. Pure: the same model always gives the same ruleset.
/// <code>
/// FORWARD  -i cali+ / -o cali+ → fwd
/// fwd      ESTABLISHED,RELATED → ACCEPT; INVALID → DROP;
///          -i cali+ → from-wl (egress of the source pod); -o cali+ → to-wl (ingress of the destination pod); ACCEPT
/// from-wl  -i caliX → goto fw-caliX … ; anything else on a pod interface → DROP (fail closed)
/// fw-caliX clear mark; → pe-POLICY; marked → RETURN; … ; DROP   (or just RETURN: not isolated)
/// pe-POLICY one rule per (peer, port) of each egress rule: match → set mark
/// </code>
/// Chain names come from the policy (namespace/name) or the interface, set names from what the
/// set means (<see cref="SetCatalog"/>): a changed policy rewrites only its chains and the
/// endpoint chains that start or stop calling it, a relabelled pod changes only set members.
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

    public string EndpointChain(PolicyDirection direction, string hostInterface) =>
        options.ChainPrefix + (direction == PolicyDirection.Egress ? "fw-" : "tw-") + hostInterface;

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
        var active = new Dictionary<(PolicyDirection, string), AppliedPolicy>();
        var local = LocalEndpoints(model);
        foreach (var endpoint in local)
        {
            foreach (var direction in Directions)
            {
                var policies = model.PoliciesFor(endpoint, direction);
                foreach (var policy in policies)
                {
                    active[(direction, policy.Key)] = policy;
                }

                chains.Add(CompileEndpoint(direction, endpoint, policies));
            }
        }

        foreach (var ((direction, _), policy) in active.OrderBy(p => p.Key.Item2, StringComparer.Ordinal).ThenBy(p => p.Key.Item1))
        {
            chains.Add(CompileAppliedPolicy(direction, policy, sets));
        }

        chains.AddRange(Fixed(local));
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

    internal static Endpoint[] LocalEndpoints(PolicyModel model) =>
        model.Endpoints.Where(e => e.IsLocal).OrderBy(e => e.HostInterface, StringComparer.Ordinal).ToArray();

    internal CompiledChain CompileAppliedPolicy(PolicyDirection direction, AppliedPolicy policy, SetCatalog sets) =>
        policy.Global is { } global ? CompileGlobalPolicy(direction, global, sets) : CompilePolicy(direction, policy.Kubernetes!, sets);

    /// <summary>The chains every ruleset has: the two dispatch chains over the local pods, and the forward chain.</summary>
    internal IEnumerable<CompiledChain> Fixed(IReadOnlyList<Endpoint> local) =>
        [Dispatch(PolicyDirection.Egress, local), Dispatch(PolicyDirection.Ingress, local), Forward()];

    internal CompiledRule[] ForwardRules()
    {
        var wildcard = options.InterfacePrefix + "+";
        return
        [
            new($"-i {wildcard} -j {ForwardChain}", "traffic from pods"),
            new($"-o {wildcard} -j {ForwardChain}", "traffic to pods"),
        ];
    }

    internal static readonly PolicyDirection[] Directions = [PolicyDirection.Ingress, PolicyDirection.Egress];

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

    private CompiledChain Dispatch(PolicyDirection direction, IReadOnlyList<Endpoint> local)
    {
        var flag = direction == PolicyDirection.Egress ? "-i" : "-o";
        var rules = local.Select(e => new CompiledRule($"{flag} {e.HostInterface} -g {EndpointChain(direction, e.HostInterface)}", e.Key)).ToList();
        rules.Add(new CompiledRule($"{flag} {options.InterfacePrefix}+ -j DROP", "unknown pod interface: fail closed"));
        return new CompiledChain(direction == PolicyDirection.Egress ? FromWorkloadDispatch : ToWorkloadDispatch, rules);
    }

    /// <summary>
    /// The pod's policies in order: each one's chain, then RETURN (this direction allows) when it
    /// set the accept mark, or the pass mark (a Pass rule: the rest of the tier is skipped and the
    /// profile allows); DROP when none did.
    /// </summary>
    internal CompiledChain CompileEndpoint(PolicyDirection direction, Endpoint endpoint, IReadOnlyList<AppliedPolicy> policies)
    {
        var name = EndpointChain(direction, endpoint.HostInterface);
        var word = direction == PolicyDirection.Egress ? "egress" : "ingress";
        if (policies.Count == 0)
        {
            return new CompiledChain(name, [new CompiledRule("-j RETURN", $"{endpoint.Key}: no policy isolates {word}")]);
        }

        var passes = policies.Any(p => Passes(p, direction));
        var rules = new List<CompiledRule> { new($"-j MARK --set-xmark 0x0/{(passes ? options.BothMarks : options.Mark)}") };
        foreach (var policy in policies)
        {
            var chain = policy.Global is { } global ? GlobalPolicyChain(direction, global) : PolicyChain(direction, policy.Kubernetes!);
            rules.Add(new CompiledRule($"-j {chain}", $"{policy.Key} {word}"));
            rules.Add(new CompiledRule($"-m mark --mark {options.Mark}/{options.Mark} -j RETURN", $"allowed by {policy.Key}"));
            if (Passes(policy, direction))
            {
                rules.Add(new CompiledRule($"-m mark --mark {options.Pass}/{options.Pass} -j RETURN", $"passed by {policy.Key} to the profile"));
            }
        }

        rules.Add(new CompiledRule("-j DROP", $"{endpoint.Key}: isolated for {word} and no rule allows"));
        return new CompiledChain(name, rules);
    }

    private static bool Passes(AppliedPolicy policy, PolicyDirection direction) =>
        policy.Global is { } global && global.RulesOf(direction).Any(r => r.Action == RuleAction.Pass);
}
