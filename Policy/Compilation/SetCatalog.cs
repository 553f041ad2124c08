using System.Net;
using System.Runtime.InteropServices;
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
    private List<string>? recording;
    private Endpoint[]? allLocal;
    private Dictionary<string, Endpoint[]>? byNamespace;
    private Dictionary<string, Endpoint[]>? local;

    // Each pod's addresses of the compiled family, as members: written once per pod, not once per
    // set that holds it (a pod is in dozens). Forgotten on Update, which brings new pods.
    private readonly Dictionary<Endpoint, string[]> addressTexts = new(ReferenceEqualityComparer.Instance);

    /// <summary>
    /// Called with each set as it is made, complete (a whole compile never changes a set it made):
    /// a caller can load it while the rest compiles. <see cref="Compiled"/> gives the same object.
    /// </summary>
    public Action<CompiledSet>? Made { get; set; }

    /// <summary>The model the sets' members come from; <see cref="Update"/> moves it on.</summary>
    public PolicyModel Model { get; private set; } = model;

    /// <summary>Every set made, by name.</summary>
    public IReadOnlyList<CompiledSet> All => sets.Keys.Order(StringComparer.Ordinal).Select(Compiled).ToArray();

    /// <summary>The set named <paramref name="name"/> as it is now.</summary>
    public CompiledSet Compiled(string name) => sets[name].Compiled();

    /// <summary>The names of the sets used while <paramref name="compile"/> ran, with its result.</summary>
    /// <remarks>A name used twice is listed twice: callers gather the names into a set.</remarks>
    public (T Value, IReadOnlyList<string> Sets) Recording<T>(Func<T> compile)
    {
        ArgumentNullException.ThrowIfNull(compile);
        var outer = recording;
        recording = [];
        try
        {
            var value = compile();
            return (value, recording);
        }
        finally
        {
            outer?.AddRange(recording);
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
        allLocal = null;
        local = null;
        byNamespace = null;
        addressTexts.Clear();
        foreach (var entry in sets.Values)
        {
            if (entry.Select is not { } select)
            {
                continue;
            }

            var left = before is null ? [] : Distinct(select(previous, before));
            var entered = after is null ? [] : Distinct(select(now, after));
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
        // Without a namespace selector the peer is in the policy's namespace: only its pods are tried.
        return Add(meaning, 's', CompiledSetType.Addresses, (m, e) =>
            m.PeerSelects(peer, policyNamespace, e) ? AddressTexts(e) : [], onlyNamespace: peer.NamespaceSelector is null ? policyNamespace : null);
    }

    /// <summary>The addresses of the pods a GlobalNetworkPolicy rule's selector and namespace selector mean.</summary>
    public string EndpointsOf(EntityRule entity)
    {
        var meaning = $"pods {{{entity.Selector?.Canonical ?? "all()"}}} in namespaces {{{entity.NamespaceSelector?.Canonical ?? "all()"}}}";
        return Add(meaning, 's', CompiledSetType.Addresses, (m, e) =>
            m.EntitySelects(entity, e) ? AddressTexts(e) : []);
    }

    /// <summary>The addresses of the local pods <paramref name="policy"/> applies to in <paramref name="direction"/>.</summary>
    public string PolicyPods(AppliedPolicy policy, PolicyDirection direction)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var meaning = $"local pods {policy.Key} applies to for {(direction == PolicyDirection.Egress ? "egress" : "ingress")}";
        // The direction is the policy's, not the pod's: worked out once. A NetworkPolicy applies to
        // pods of its own namespace only: only those are tried.
        Func<PolicyModel, Endpoint, IEnumerable<string>> select = policy.Global is { } global
            ? global.AppliesIn(direction) ? (m, e) => global.Selects(e, m.NamespaceLabels(e.Namespace)) ? AddressTexts(e) : [] : (_, _) => []
            : policy.Kubernetes!.Isolates(direction) ? (_, e) => e.Namespace == policy.Kubernetes.Namespace && policy.Kubernetes.PodSelector.Matches(e.Labels) ? AddressTexts(e) : [] : (_, _) => [];
        return Add(meaning, 'a', CompiledSetType.Addresses, select, localOnly: true, policy.Kubernetes?.Namespace);
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
            var entry = new Entry(new CompiledSet(name, CompiledSetType.Networks, list, $"networks {string.Join(',', list)}"));
            sets[name] = entry;
            Made?.Invoke(entry.Compiled());
        }

        return name;
    }

    /// <summary>ADDRESS,PROTO:PORT of every pod that declares <paramref name="name"/> for <paramref name="protocol"/>.</summary>
    public string NamedPort(string name, PolicyProtocol protocol) =>
        Add($"port {name}/{protocol.Name()}", 'p', CompiledSetType.AddressPorts, (_, e) =>
            e.Resolve(name, protocol).Distinct().SelectMany(port => Addresses(e).Select(a => $"{a},{protocol.KernelName()}:{port}")));

    private string Add(string meaning, char kind, CompiledSetType type, Func<PolicyModel, Endpoint, IEnumerable<string>> select, bool localOnly = false, string? onlyNamespace = null)
    {
        var name = $"{options.SetPrefix}{kind}{ContentNames.Hash(meaning)}";
        recording?.Add(name);
        if (!sets.ContainsKey(name))
        {
            // Sets of local pods select among local pods only (select gives nothing for the others).
            Func<PolicyModel, Endpoint, IEnumerable<string>> guarded = localOnly ? (m, e) => e.IsLocal ? select(m, e) : [] : select;
            var entry = new Entry(name, type, meaning, guarded);
            foreach (var endpoint in localOnly ? Local(onlyNamespace) : onlyNamespace is null ? Model.Endpoints : InNamespace(onlyNamespace))
            {
                switch (guarded(Model, endpoint))
                {
                    case string[] { Length: 0 }:
                        break;
                    case string[] { Length: 1 } one:
                        entry.Count(one[0], +1);
                        break;
                    case var members:
                        entry.Count(members.Distinct(), +1);
                        break;
                }
            }

            sets[name] = entry;
            Made?.Invoke(entry.Compiled());
        }

        return name;
    }

    private static string[] Distinct(IEnumerable<string> members) =>
        members is string[] { Length: 0 } none ? none : members.Distinct().ToArray();

    /// <summary>Every pod of <paramref name="ns"/>, local or not.</summary>
    private Endpoint[] InNamespace(string ns)
    {
        byNamespace ??= Model.Endpoints.GroupBy(e => e.Namespace, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToArray(), StringComparer.Ordinal);
        return byNamespace.GetValueOrDefault(ns) ?? [];
    }

    /// <summary>The local pods, or those of <paramref name="ns"/>.</summary>
    private Endpoint[] Local(string? ns)
    {
        allLocal ??= Model.Endpoints.Where(e => e.IsLocal).ToArray();
        if (ns is null)
        {
            return allLocal;
        }

        local ??= allLocal.GroupBy(e => e.Namespace, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToArray(), StringComparer.Ordinal);
        return local.GetValueOrDefault(ns) ?? [];
    }

    private IEnumerable<IPAddress> Addresses(Endpoint endpoint) =>
        endpoint.Addresses.Where(a => a.AddressFamily == options.Family);

    private string[] AddressTexts(Endpoint endpoint)
    {
        if (!addressTexts.TryGetValue(endpoint, out var cached))
        {
            cached = FamilyAddressTexts(endpoint);
            addressTexts[endpoint] = cached;
        }

        return cached;
    }

    private string[] FamilyAddressTexts(Endpoint endpoint)
    {
        var addresses = endpoint.Addresses;
        var texts = new List<string>(addresses.Count);
        for (var i = 0; i < addresses.Count; i++)
        {
            if (addresses[i].AddressFamily == options.Family)
            {
                texts.Add(addresses[i].ToString());
            }
        }

        return texts.Count == 0 ? [] : texts.ToArray();
    }

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
                Count(member, by);
            }
        }

        public void Count(string member, int by)
        {
            ref var count = ref CollectionsMarshal.GetValueRefOrAddDefault(counts, member, out _);
            count += by;
            if (count <= 0)
            {
                counts.Remove(member);
            }

            compiled = null;
        }

        public CompiledSet Compiled() =>
            compiled ??= new CompiledSet(name, type, counts.Keys.Order(StringComparer.Ordinal).ToArray(), meaning);
    }
}
