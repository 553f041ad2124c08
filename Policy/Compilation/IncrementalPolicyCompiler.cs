using Routing.Policy.Model;

namespace Routing.Policy.Compilation;

/// <summary>
/// Compiles the node's successive models, each to the ruleset <see cref="PolicyCompiler.Compile"/>
/// gives, without starting over when only pods changed (the namespaces and policies are the same
/// objects as last time, as <c>NodePolicyCalculation</c> keeps what it read): a relabelled, added
/// or removed pod is moved in or out of each set; the chains are the last ones unless the local
/// pods' namespaces changed. Anything else is compiled in full.
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
    /// <param name="setMade">When the compile is a whole one, called (on this thread) with each of
    /// the ruleset's sets as soon as it is complete, the same objects the ruleset lists, each once:
    /// a caller loads them while the chains compile. Not called for an incremental compile.</param>
    public PolicyRuleset Compile(PolicyModel model, Action<CompiledSet>? setMade = null)
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
        state = new State(compiler, model, setMade);
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
        private readonly CompiledRule[] forward;
        private readonly Dictionary<(PolicyDirection, string), (CompiledChain Chain, IReadOnlyList<string> Sets)> policies = [];
        private Dictionary<string, Endpoint> endpoints;
        private string[] namespaces = [];
        private CompiledChain[] chains = [];
        private string[] used = [];

        public State(PolicyCompiler compiler, PolicyModel model, Action<CompiledSet>? setMade)
        {
            this.compiler = compiler;
            Model = model;
            sets = new SetCatalog(model, compiler.Options) { Made = setMade };
            forward = compiler.ForwardRules();
            endpoints = ByKey(model);
            try
            {
                Structure(model);
            }
            finally
            {
                // Sets an update makes later are not the caller's to load.
                sets.Made = null;
            }
        }

        public PolicyModel Model { get; private set; }

        /// <summary>Moves the changed pods in and out of the sets; the chains change only when the local pods' namespaces do.</summary>
        public void Update(PolicyModel model)
        {
            var now = ByKey(model);
            var localChanged = false;
            foreach (var (key, before) in endpoints)
            {
                var after = now.GetValueOrDefault(key);
                if (!ReferenceEquals(before, after))
                {
                    sets.Update(model, before, after);
                    localChanged |= before.IsLocal || after is { IsLocal: true };
                }
            }

            foreach (var (key, after) in now)
            {
                if (!endpoints.ContainsKey(key))
                {
                    sets.Update(model, null, after);
                    localChanged |= after.IsLocal;
                }
            }

            Model = model;
            endpoints = now;
            if (localChanged && !PolicyCompiler.LocalNamespaces(model).AsSpan().SequenceEqual(namespaces))
            {
                Structure(model);
            }
        }

        public PolicyRuleset Ruleset() =>
            new(chains, Array.ConvertAll(used, sets.Compiled), forward);

        private static Dictionary<string, Endpoint> ByKey(PolicyModel model)
        {
            var byKey = new Dictionary<string, Endpoint>(model.Endpoints.Count, StringComparer.Ordinal);
            foreach (var endpoint in model.Endpoints)
            {
                byKey[endpoint.Key] = endpoint;
            }

            return byKey;
        }

        /// <summary>The chains for the policies that can apply to local pods (compiled once each), the tier and fixed chains, and the sets they use.</summary>
        private void Structure(PolicyModel model)
        {
            namespaces = PolicyCompiler.LocalNamespaces(model);
            var list = new List<CompiledChain>();
            var usedSets = new HashSet<string>(StringComparer.Ordinal);
            var active = new HashSet<(PolicyDirection, string)>();
            foreach (var direction in PolicyDirections.Both)
            {
                var applied = model.PoliciesIn(direction, namespaces);
                foreach (var policy in applied)
                {
                    var key = (direction, policy.Key);
                    active.Add(key);
                    if (!policies.TryGetValue(key, out var compiled))
                    {
                        compiled = sets.Recording(() => compiler.CompileAppliedPolicy(direction, policy, sets));
                        policies[key] = compiled;
                    }

                    list.Add(compiled.Chain);
                    usedSets.UnionWith(compiled.Sets);
                }

                var (tier, tierSets) = sets.Recording(() => compiler.CompileTier(direction, applied, sets));
                list.Add(tier);
                usedSets.UnionWith(tierSets);
            }

            var (fixedChains, fixedSets) = sets.Recording(() => compiler.Fixed(sets).ToArray());
            list.AddRange(fixedChains);
            usedSets.UnionWith(fixedSets);
            foreach (var key in policies.Keys.Where(k => !active.Contains(k)).ToArray())
            {
                policies.Remove(key);
            }

            sets.Keep(usedSets);
            chains = list.OrderBy(c => c.Name, StringComparer.Ordinal).ToArray();
            used = usedSets.Order(StringComparer.Ordinal).ToArray();
        }
    }
}
