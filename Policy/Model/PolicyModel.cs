using System.Net;
using Routing.Policy.Selectors;

namespace Routing.Policy.Model;

/// <summary>
/// Everything policy depends on, at one moment: namespaces with their labels, pods (endpoints)
/// NetworkPolicies and GlobalNetworkPolicies. Immutable; the evaluator and the compiler both read it.
/// </summary>
public sealed class PolicyModel
{
    private readonly Dictionary<string, ClusterNamespace> namespaces;
    private readonly Dictionary<IPAddress, Endpoint> byAddress;

    // Indexes for PoliciesFor, which the compiler calls twice per local pod: NetworkPolicies by
    // namespace, and every policy's directions worked out once.
    private readonly Dictionary<string, (NetworkPolicy Policy, bool Ingress, bool Egress)[]> byNamespace;
    private readonly (GlobalNetworkPolicy Policy, bool Ingress, bool Egress)[] globals;

    public PolicyModel(IEnumerable<ClusterNamespace> namespaces, IEnumerable<Endpoint> endpoints, IEnumerable<NetworkPolicy> policies)
        : this(namespaces, endpoints, policies, [])
    {
    }

    public PolicyModel(IEnumerable<ClusterNamespace> namespaces, IEnumerable<Endpoint> endpoints, IEnumerable<NetworkPolicy> policies, IEnumerable<GlobalNetworkPolicy> globalPolicies)
    {
        ArgumentNullException.ThrowIfNull(globalPolicies);
        ArgumentNullException.ThrowIfNull(namespaces);
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(policies);
        this.namespaces = namespaces.ToDictionary(n => n.Name, StringComparer.Ordinal);
        Endpoints = endpoints.OrderBy(e => e.Key, StringComparer.Ordinal).ToArray();
        Policies = policies.OrderBy(p => p.Key, StringComparer.Ordinal).ToArray();
        GlobalPolicies = globalPolicies.OrderBy(p => p.Rank).ThenBy(p => p.Name, StringComparer.Ordinal).ToArray();
        byNamespace = Policies.GroupBy(p => p.Namespace, StringComparer.Ordinal).ToDictionary(
            g => g.Key,
            g => g.Select(p => (p, p.Isolates(PolicyDirection.Ingress), p.Isolates(PolicyDirection.Egress))).ToArray(),
            StringComparer.Ordinal);
        globals = GlobalPolicies.Select(p => (p, p.AppliesIn(PolicyDirection.Ingress), p.AppliesIn(PolicyDirection.Egress))).ToArray();
        byAddress = [];
        foreach (var endpoint in Endpoints)
        {
            foreach (var address in endpoint.Addresses)
            {
                byAddress.TryAdd(address, endpoint);
            }
        }
    }

    // The same namespaces and policies as `from`, with its endpoints changed (WithEndpointChanges).
    private PolicyModel(PolicyModel from, Endpoint[] endpoints, Dictionary<IPAddress, Endpoint> byAddress)
    {
        namespaces = from.namespaces;
        Endpoints = endpoints;
        Policies = from.Policies;
        GlobalPolicies = from.GlobalPolicies;
        byNamespace = from.byNamespace;
        globals = from.globals;
        this.byAddress = byAddress;
    }

    public IReadOnlyCollection<ClusterNamespace> Namespaces => namespaces.Values;

    /// <summary>Pods, ordered by namespace/name.</summary>
    public IReadOnlyList<Endpoint> Endpoints { get; }

    /// <summary>Policies, ordered by namespace/name.</summary>
    public IReadOnlyList<NetworkPolicy> Policies { get; }

    /// <summary>GlobalNetworkPolicies, in the order they apply (order, then name).</summary>
    public IReadOnlyList<GlobalNetworkPolicy> GlobalPolicies { get; }

    /// <summary>
    /// This model with the pods keyed <paramref name="removed"/> gone and <paramref name="upserted"/>
    /// added or put in place of the pod with their key: the same model the constructor makes from the
    /// changed pods, at the cost of the changes rather than of every pod (one pod relabelled among
    /// thousands). The namespaces and policies are this model's, the same objects.
    /// </summary>
    public PolicyModel WithEndpointChanges(IEnumerable<string> removed, IEnumerable<Endpoint> upserted)
    {
        ArgumentNullException.ThrowIfNull(removed);
        ArgumentNullException.ThrowIfNull(upserted);
        var endpoints = new List<Endpoint>(Endpoints);
        var touched = new HashSet<IPAddress>();
        foreach (var key in removed)
        {
            var at = IndexOf(endpoints, key);
            if (at >= 0)
            {
                touched.UnionWith(endpoints[at].Addresses);
                endpoints.RemoveAt(at);
            }
        }

        foreach (var endpoint in upserted)
        {
            ArgumentNullException.ThrowIfNull(endpoint);
            touched.UnionWith(endpoint.Addresses);
            var at = IndexOf(endpoints, endpoint.Key);
            if (at >= 0)
            {
                touched.UnionWith(endpoints[at].Addresses);
                endpoints[at] = endpoint;
            }
            else
            {
                endpoints.Insert(~at, endpoint);
            }
        }

        // An address names the first pod by key that has it, as the constructor files them.
        var addresses = new Dictionary<IPAddress, Endpoint>(byAddress);
        foreach (var address in touched)
        {
            addresses.Remove(address);
            foreach (var endpoint in endpoints)
            {
                if (endpoint.Addresses.Contains(address))
                {
                    addresses[address] = endpoint;
                    break;
                }
            }
        }

        return new PolicyModel(this, [.. endpoints], addresses);
    }

    // Where the pod keyed `key` is in endpoints ordered by key, or the complement of where it would go.
    private static int IndexOf(List<Endpoint> endpoints, string key)
    {
        int low = 0, high = endpoints.Count - 1;
        while (low <= high)
        {
            var middle = low + ((high - low) >> 1);
            var order = string.CompareOrdinal(endpoints[middle].Key, key);
            if (order == 0)
            {
                return middle;
            }

            if (order < 0)
            {
                low = middle + 1;
            }
            else
            {
                high = middle - 1;
            }
        }

        return ~low;
    }

    public PolicyModel With(IEnumerable<NetworkPolicy> policies) => new(Namespaces, Endpoints, policies, GlobalPolicies);

    public PolicyModel With(IEnumerable<Endpoint> endpoints) => new(Namespaces, endpoints, Policies, GlobalPolicies);

    public PolicyModel With(IEnumerable<ClusterNamespace> namespaces) => new(namespaces, Endpoints, Policies, GlobalPolicies);

    public PolicyModel With(IEnumerable<GlobalNetworkPolicy> globalPolicies) => new(Namespaces, Endpoints, Policies, globalPolicies);

    /// <summary>
    /// The policies that apply to <paramref name="endpoint"/> in <paramref name="direction"/>, in the
    /// order they are evaluated: GlobalNetworkPolicies that select it and NetworkPolicies that
    /// isolate it, by order (a NetworkPolicy's is 1000), then key.
    /// </summary>
    public IReadOnlyList<AppliedPolicy> PoliciesFor(Endpoint endpoint, PolicyDirection direction)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        var ingress = direction == PolicyDirection.Ingress;
        var applied = new List<AppliedPolicy>();
        IReadOnlyDictionary<string, string>? namespaceLabels = null;
        foreach (var (policy, inIngress, inEgress) in globals)
        {
            if ((ingress ? inIngress : inEgress) && policy.Selects(endpoint, namespaceLabels ??= NamespaceLabels(endpoint.Namespace)))
            {
                applied.Add(AppliedPolicy.Of(policy));
            }
        }

        if (byNamespace.TryGetValue(endpoint.Namespace, out var local))
        {
            foreach (var (policy, inIngress, inEgress) in local)
            {
                if ((ingress ? inIngress : inEgress) && policy.PodSelector.Matches(endpoint.Labels))
                {
                    applied.Add(AppliedPolicy.Of(policy));
                }
            }
        }

        return applied.Count <= 1 ? applied : applied.OrderBy(p => p.Rank).ThenBy(p => p.Key, StringComparer.Ordinal).ToArray();
    }

    /// <summary>
    /// Every policy that can apply in <paramref name="direction"/> to a pod of
    /// <paramref name="podNamespaces"/>, in the order pods evaluate them (as <see cref="PoliciesFor"/>):
    /// the GlobalNetworkPolicies of that direction, and the NetworkPolicies of those namespaces that isolate it.
    /// </summary>
    public IReadOnlyList<AppliedPolicy> PoliciesIn(PolicyDirection direction, IEnumerable<string> podNamespaces)
    {
        ArgumentNullException.ThrowIfNull(podNamespaces);
        var ingress = direction == PolicyDirection.Ingress;
        var applied = new List<AppliedPolicy>();
        foreach (var (policy, inIngress, inEgress) in globals)
        {
            if (ingress ? inIngress : inEgress)
            {
                applied.Add(AppliedPolicy.Of(policy));
            }
        }

        foreach (var name in podNamespaces.Distinct(StringComparer.Ordinal))
        {
            if (byNamespace.TryGetValue(name, out var local))
            {
                applied.AddRange(local.Where(p => ingress ? p.Ingress : p.Egress).Select(p => AppliedPolicy.Of(p.Policy)));
            }
        }

        return applied.OrderBy(p => p.Rank).ThenBy(p => p.Key, StringComparer.Ordinal).ToArray();
    }

    /// <summary>True when <paramref name="policy"/> is one of <see cref="PoliciesFor"/>(<paramref name="endpoint"/>, <paramref name="direction"/>).</summary>
    public bool Applies(AppliedPolicy policy, Endpoint endpoint, PolicyDirection direction)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(endpoint);
        return policy.Global is { } global
            ? global.AppliesIn(direction) && global.Selects(endpoint, NamespaceLabels(endpoint.Namespace))
            : policy.Kubernetes is { } kubernetes && kubernetes.Namespace == endpoint.Namespace && kubernetes.Isolates(direction) && kubernetes.PodSelector.Matches(endpoint.Labels);
    }

    /// <summary>True when some policy applies to <paramref name="endpoint"/> in <paramref name="direction"/>: traffic no rule allows is dropped.</summary>
    public bool Isolates(Endpoint endpoint, PolicyDirection direction)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        var ingress = direction == PolicyDirection.Ingress;
        if (byNamespace.TryGetValue(endpoint.Namespace, out var local)
            && local.Any(p => (ingress ? p.Ingress : p.Egress) && p.Policy.PodSelector.Matches(endpoint.Labels)))
        {
            return true;
        }

        var namespaceLabels = NamespaceLabels(endpoint.Namespace);
        return globals.Any(g => (ingress ? g.Ingress : g.Egress) && g.Policy.Selects(endpoint, namespaceLabels));
    }

    /// <summary>True when <paramref name="endpoint"/> is one of the pods a rule's selector and namespace selector mean (at least one is given).</summary>
    public bool EntitySelects(EntityRule entity, Endpoint endpoint)
    {
        ArgumentNullException.ThrowIfNull(entity);
        ArgumentNullException.ThrowIfNull(endpoint);
        return entity.HasSelector
            && (entity.Selector?.Matches(endpoint.Labels) ?? true)
            && (entity.NamespaceSelector?.Matches(NamespaceLabels(endpoint.Namespace)) ?? true);
    }

    /// <summary>The labels of a namespace; a namespace nobody described has only its name label.</summary>
    public IReadOnlyDictionary<string, string> NamespaceLabels(string name) =>
        namespaces.TryGetValue(name, out var ns) ? ns.Labels : ClusterNamespace.Create(name).Labels;

    public Endpoint? EndpointAt(IPAddress address) => byAddress.GetValueOrDefault(address);

    public Endpoint? Endpoint(string ns, string name) =>
        Endpoints.FirstOrDefault(e => e.Namespace == ns && e.Name == name);

    /// <summary>The policies whose podSelector selects <paramref name="endpoint"/> (same namespace).</summary>
    public IEnumerable<NetworkPolicy> PoliciesSelecting(Endpoint endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        return byNamespace.TryGetValue(endpoint.Namespace, out var local)
            ? local.Select(p => p.Policy).Where(p => p.PodSelector.Matches(endpoint.Labels))
            : [];
    }

    /// <summary>
    /// True when <paramref name="endpoint"/> is one of the pods a selector peer of a policy in
    /// <paramref name="policyNamespace"/> means (ipBlock peers are matched by address instead).
    /// </summary>
    public bool PeerSelects(NetworkPolicyPeer peer, string policyNamespace, Endpoint endpoint)
    {
        ArgumentNullException.ThrowIfNull(peer);
        ArgumentNullException.ThrowIfNull(endpoint);
        if (peer.IpBlock is not null || (peer.PodSelector is null && peer.NamespaceSelector is null))
        {
            return false;
        }

        var inNamespace = peer.NamespaceSelector is { } nsSelector
            ? nsSelector.Matches(NamespaceLabels(endpoint.Namespace))
            : endpoint.Namespace == policyNamespace;
        return inNamespace && (peer.PodSelector ?? LabelSelector.Everything).Matches(endpoint.Labels);
    }
}
