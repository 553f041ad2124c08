using Routing.Policy.Model;

namespace Routing.Policy.Compilation;

/// <summary>
/// Compiles the node's successive models, each to the ruleset <see cref="PolicyCompiler.Compile"/>
/// gives, without starting over when only pods changed (the namespaces and policies are the same
/// objects as last time, as <c>NodePolicyCalculation</c> keeps what it read): a relabelled pod
/// is moved in or out of each set, its own chains are compiled again, and a policy it starts to
/// use is compiled; every other chain and set is the last one. Anything else is compiled in full.
/// </summary>
/// <remarks>Not thread-safe: one apply loop owns it.</remarks>
public sealed class IncrementalPolicyCompiler(PolicyCompiler compiler)
{
    private readonly PolicyCompiler compiler = compiler ?? throw new ArgumentNullException(nameof(compiler));
    private State? state;

    public PolicyCompiler Compiler => compiler;

    /// <summary>How the last ruleset was made: true when from the one before (only pods changed).</summary>
    public bool LastWasIncremental { get; private set; }

    /// <summary>The ruleset for <paramref name="model"/>, as <see cref="PolicyCompiler.Compile"/> would give it.</summary>
    public PolicyRuleset Compile(PolicyModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (state is { } last && OnlyPodsChanged(last.Model, model))
        {
            LastWasIncremental = true;
            last.Update(model);
            return last.Ruleset();
        }

        state = null;
        LastWasIncremental = false;
        PolicyCompiler.Validate(model);
        state = new State(compiler, model);
        return state.Ruleset();
    }

    private static bool OnlyPodsChanged(PolicyModel before, PolicyModel after)
    {
        if (before.Policies.Count != after.Policies.Count || before.GlobalPolicies.Count != after.GlobalPolicies.Count
            || before.Namespaces.Count != after.Namespaces.Count)
        {
            return false;
        }

        for (var i = 0; i < before.Policies.Count; i++)
        {
            if (!ReferenceEquals(before.Policies[i], after.Policies[i]))
            {
                return false;
            }
        }

        for (var i = 0; i < before.GlobalPolicies.Count; i++)
        {
            if (!ReferenceEquals(before.GlobalPolicies[i], after.GlobalPolicies[i]))
            {
                return false;
            }
        }

        var namespaces = before.Namespaces.ToDictionary(n => n.Name, StringComparer.Ordinal);
        return after.Namespaces.All(n => namespaces.TryGetValue(n.Name, out var was) && ReferenceEquals(was, n));
    }

    /// <summary>The pieces of the last ruleset, kept to be reused.</summary>
    private sealed class State
    {
        private readonly PolicyCompiler compiler;
        private readonly SetCatalog sets;
        private readonly Dictionary<string, LocalPod> local = new(StringComparer.Ordinal);
        private readonly Dictionary<(PolicyDirection, string), (CompiledChain Chain, IReadOnlySet<string> Sets)> policies = [];
        private Dictionary<string, Endpoint> endpoints;

        public State(PolicyCompiler compiler, PolicyModel model)
        {
            this.compiler = compiler;
            Model = model;
            sets = new SetCatalog(model, compiler.Options);
            endpoints = ByKey(model);
            foreach (var endpoint in model.Endpoints.Where(e => e.IsLocal))
            {
                local[endpoint.Key] = Compile(model, endpoint);
            }

            CompileActivePolicies();
        }

        public PolicyModel Model { get; private set; }

        public void Update(PolicyModel model)
        {
            var now = ByKey(model);
            var changed = endpoints.Keys.Concat(now.Keys).Distinct(StringComparer.Ordinal)
                .Where(k => !ReferenceEquals(endpoints.GetValueOrDefault(k), now.GetValueOrDefault(k))).ToArray();
            foreach (var key in changed)
            {
                var before = endpoints.GetValueOrDefault(key);
                var after = now.GetValueOrDefault(key);
                sets.Update(model, before, after);
                local.Remove(key);
                if (after is { IsLocal: true })
                {
                    local[key] = Compile(model, after);
                }
            }

            Model = model;
            endpoints = now;
            CompileActivePolicies();
        }

        public PolicyRuleset Ruleset()
        {
            var chains = new List<CompiledChain>(local.Count * 2 + policies.Count + 3);
            foreach (var pod in local.Values)
            {
                chains.Add(pod.Ingress);
                chains.Add(pod.Egress);
            }

            var used = new HashSet<string>(StringComparer.Ordinal);
            foreach (var (chain, names) in policies.Values)
            {
                chains.Add(chain);
                used.UnionWith(names);
            }

            sets.Keep(used);
            chains.AddRange(compiler.Fixed(PolicyCompiler.LocalEndpoints(Model)));
            return new PolicyRuleset(
                chains.OrderBy(c => c.Name, StringComparer.Ordinal).ToArray(),
                used.Order(StringComparer.Ordinal).Select(sets.Compiled).ToArray(),
                compiler.ForwardRules());
        }

        private static Dictionary<string, Endpoint> ByKey(PolicyModel model)
        {
            var byKey = new Dictionary<string, Endpoint>(model.Endpoints.Count, StringComparer.Ordinal);
            foreach (var endpoint in model.Endpoints)
            {
                byKey[endpoint.Key] = endpoint;
            }

            return byKey;
        }

        private LocalPod Compile(PolicyModel model, Endpoint endpoint)
        {
            var ingress = model.PoliciesFor(endpoint, PolicyDirection.Ingress);
            var egress = model.PoliciesFor(endpoint, PolicyDirection.Egress);
            return new LocalPod(
                ingress,
                egress,
                compiler.CompileEndpoint(PolicyDirection.Ingress, endpoint, ingress),
                compiler.CompileEndpoint(PolicyDirection.Egress, endpoint, egress));
        }

        /// <summary>Compiles the policies some local pod starts to use, and forgets those none uses any more.</summary>
        private void CompileActivePolicies()
        {
            var active = new Dictionary<(PolicyDirection, string), AppliedPolicy>();
            foreach (var pod in local.Values)
            {
                foreach (var policy in pod.IngressPolicies)
                {
                    active[(PolicyDirection.Ingress, policy.Key)] = policy;
                }

                foreach (var policy in pod.EgressPolicies)
                {
                    active[(PolicyDirection.Egress, policy.Key)] = policy;
                }
            }

            foreach (var key in policies.Keys.Where(k => !active.ContainsKey(k)).ToArray())
            {
                policies.Remove(key);
            }

            foreach (var ((direction, key), policy) in active.OrderBy(p => p.Key.Item2, StringComparer.Ordinal).ThenBy(p => p.Key.Item1))
            {
                if (!policies.ContainsKey((direction, key)))
                {
                    policies[(direction, key)] = sets.Recording(() => compiler.CompileAppliedPolicy(direction, policy, sets));
                }
            }
        }

        private sealed record LocalPod(IReadOnlyList<AppliedPolicy> IngressPolicies, IReadOnlyList<AppliedPolicy> EgressPolicies, CompiledChain Ingress, CompiledChain Egress);
    }
}
