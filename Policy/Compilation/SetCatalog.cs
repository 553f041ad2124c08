using System.Net;
using Routing.Policy.Model;
using Routing.Policy.Selectors;

namespace Routing.Policy.Compilation;

/// <summary>
/// The ipsets a compilation needs, each made once however many rules use it. A set of pods keeps
/// each member's count of pods, so that <see cref="Update"/> can move one pod in or out of every
/// set without evaluating the others again (<see cref="IncrementalPolicyCompiler"/>).
/// </summary>
internal sealed class SetCatalog(PolicyModel model, PolicyCompilerOptions options)
{
    private readonly Dictionary<string, Entry> sets = new(StringComparer.Ordinal);
    private HashSet<string>? recording;
    private Endpoint[]? local;

    /// <summary>The model the sets' members come from; <see cref="Update"/> moves it on.</summary>
    public PolicyModel Model { get; private set; } = model;

    /// <summary>Every set made, by name.</summary>
    public IReadOnlyList<CompiledSet> All => sets.Keys.Order(StringComparer.Ordinal).Select(Compiled).ToArray();

    /// <summary>The set named <paramref name="name"/> as it is now.</summary>
    public CompiledSet Compiled(string name) => sets[name].Compiled();

    /// <summary>The names of the sets used while <paramref name="compile"/> ran, with its result.</summary>
    public (T Value, IReadOnlySet<string> Sets) Recording<T>(Func<T> compile)
    {
        ArgumentNullException.ThrowIfNull(compile);
        var outer = recording;
        recording = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            var value = compile();
            return (value, recording);
        }
        finally
        {
            outer?.UnionWith(recording);
            recording = outer;
        }
    }

    /// <summary>Forgets the sets not in <paramref name="used"/>.</summary>
    public void Keep(IReadOnlySet<string> used)
    {
        foreach (var name in sets.Keys.Where(n => !used.Contains(n)).ToArray())
        {
            sets.Remove(name);
        }
    }

    /// <summary>
    /// <paramref name="before"/> (null: it is new) became <paramref name="after"/> (null: it is
    /// gone) in <paramref name="now"/>, whose namespaces and policies are those of the previous model.
    /// </summary>
    public void Update(PolicyModel now, Endpoint? before, Endpoint? after)
    {
        ArgumentNullException.ThrowIfNull(now);
        var previous = Model;
        Model = now;
        local = null;
        foreach (var entry in sets.Values)
        {
            if (entry.Select is not { } select)
            {
                continue;
            }

            var left = before is null ? [] : select(previous, before).Distinct().ToArray();
            var entered = after is null ? [] : select(now, after).Distinct().ToArray();
            if (left.AsSpan().SequenceEqual(entered))
            {
                continue;
            }

            entry.Count(left, -1);
            entry.Count(entered, +1);
        }
    }

    /// <summary>The addresses of the pods a selector peer of a policy in <paramref name="policyNamespace"/> means.</summary>
    public string PodsOf(NetworkPolicyPeer peer, string policyNamespace)
    {
        var scope = peer.NamespaceSelector is { } ns ? $"namespaces {{{ns.Canonical}}}" : $"namespace {policyNamespace}";
        var meaning = $"pods {{{(peer.PodSelector ?? LabelSelector.Everything).Canonical}}} in {scope}";
        return Add(meaning, 's', CompiledSetType.Addresses, (m, e) =>
            m.PeerSelects(peer, policyNamespace, e) ? Addresses(e).Select(a => a.ToString()) : []);
    }

    /// <summary>The addresses of the pods a GlobalNetworkPolicy rule's selector and namespace selector mean.</summary>
    public string EndpointsOf(EntityRule entity)
    {
        var meaning = $"pods {{{entity.Selector?.Canonical ?? "all()"}}} in namespaces {{{entity.NamespaceSelector?.Canonical ?? "all()"}}}";
        return Add(meaning, 's', CompiledSetType.Addresses, (m, e) =>
            m.EntitySelects(entity, e) ? Addresses(e).Select(a => a.ToString()) : []);
    }

    /// <summary>The addresses of the local pods <paramref name="policy"/> applies to in <paramref name="direction"/>.</summary>
    public string PolicyPods(AppliedPolicy policy, PolicyDirection direction)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var meaning = $"local pods {policy.Key} applies to for {(direction == PolicyDirection.Egress ? "egress" : "ingress")}";
        return Add(meaning, 'a', CompiledSetType.Addresses, (m, e) => m.Applies(policy, e, direction) ? AddressTexts(e) : [], localOnly: true);
    }

    /// <summary>The addresses of the local pods some policy applies to in <paramref name="direction"/>.</summary>
    public string IsolatedPods(PolicyDirection direction)
    {
        var meaning = $"local pods isolated for {(direction == PolicyDirection.Egress ? "egress" : "ingress")}";
        return Add(meaning, 'i', CompiledSetType.Addresses, (m, e) => m.Isolates(e, direction) ? AddressTexts(e) : [], localOnly: true);
    }

    /// <summary>
    /// ADDRESS,INTERFACE of every local pod: traffic through a pod's interface is that pod's when
    /// it carries the pod's own address (a member per address: ipset hashes the address, not the name).
    /// </summary>
    public string LocalPods() =>
        Add("local pods", 'l', CompiledSetType.Interfaces, (_, e) => Addresses(e).Select(a => $"{a},{e.HostInterface}"), localOnly: true);

    /// <summary>A list of CIDRs (an ipBlock's exceptions) of the compiled family.</summary>
    public string Networks(IEnumerable<Cidr> cidrs)
    {
        var list = cidrs.Where(c => c.Family == options.Family).Select(c => c.ToString()).Distinct().Order(StringComparer.Ordinal).ToArray();
        var name = $"{options.SetPrefix}n{ContentNames.Hash($"networks {string.Join(',', list)}")}";
        recording?.Add(name);
        if (!sets.ContainsKey(name))
        {
            sets[name] = new Entry(new CompiledSet(name, CompiledSetType.Networks, list, $"networks {string.Join(',', list)}"));
        }

        return name;
    }

    /// <summary>ADDRESS,PROTO:PORT of every pod that declares <paramref name="name"/> for <paramref name="protocol"/>.</summary>
    public string NamedPort(string name, PolicyProtocol protocol) =>
        Add($"port {name}/{protocol.Name()}", 'p', CompiledSetType.AddressPorts, (_, e) =>
            e.Resolve(name, protocol).Distinct().SelectMany(port => Addresses(e).Select(a => $"{a},{protocol.KernelName()}:{port}")));

    private string Add(string meaning, char kind, CompiledSetType type, Func<PolicyModel, Endpoint, IEnumerable<string>> select, bool localOnly = false)
    {
        var name = $"{options.SetPrefix}{kind}{ContentNames.Hash(meaning)}";
        recording?.Add(name);
        if (!sets.ContainsKey(name))
        {
            // Sets of local pods select among local pods only (select gives nothing for the others).
            Func<PolicyModel, Endpoint, IEnumerable<string>> guarded = localOnly ? (m, e) => e.IsLocal ? select(m, e) : [] : select;
            var entry = new Entry(name, type, meaning, guarded);
            foreach (var endpoint in localOnly ? Local() : Model.Endpoints)
            {
                entry.Count(guarded(Model, endpoint).Distinct(), +1);
            }

            sets[name] = entry;
        }

        return name;
    }

    private Endpoint[] Local() => local ??= Model.Endpoints.Where(e => e.IsLocal).ToArray();

    private IEnumerable<IPAddress> Addresses(Endpoint endpoint) =>
        endpoint.Addresses.Where(a => a.AddressFamily == options.Family);

    private IEnumerable<string> AddressTexts(Endpoint endpoint) => Addresses(endpoint).Select(a => a.ToString());

    /// <summary>One set: fixed members, or how many selected pods hold each member.</summary>
    private sealed class Entry
    {
        private readonly Dictionary<string, int> counts = new(StringComparer.Ordinal);
        private readonly string name;
        private readonly CompiledSetType type;
        private readonly string meaning;
        private CompiledSet? compiled;

        public Entry(CompiledSet fixedSet)
        {
            name = fixedSet.Name;
            type = fixedSet.Type;
            meaning = fixedSet.Meaning;
            compiled = fixedSet;
        }

        public Entry(string name, CompiledSetType type, string meaning, Func<PolicyModel, Endpoint, IEnumerable<string>> select)
        {
            this.name = name;
            this.type = type;
            this.meaning = meaning;
            Select = select;
        }

        public Func<PolicyModel, Endpoint, IEnumerable<string>>? Select { get; }

        public void Count(IEnumerable<string> members, int by)
        {
            foreach (var member in members)
            {
                var count = counts.GetValueOrDefault(member) + by;
                if (count > 0)
                {
                    counts[member] = count;
                }
                else
                {
                    counts.Remove(member);
                }

                compiled = null;
            }
        }

        public CompiledSet Compiled() =>
            compiled ??= new CompiledSet(name, type, counts.Keys.Order(StringComparer.Ordinal).ToArray(), meaning);
    }
}
