using System.Net;
using Routing.Policy.Selectors;

namespace Routing.Policy.Model;

/// <summary>
/// Everything policy depends on, at one moment: namespaces with their labels, pods (endpoints)
/// and NetworkPolicies. Immutable; the evaluator and the compiler both read it.
/// </summary>
public sealed class PolicyModel
{
    private readonly Dictionary<string, ClusterNamespace> namespaces;
    private readonly Dictionary<IPAddress, Endpoint> byAddress;

    public PolicyModel(IEnumerable<ClusterNamespace> namespaces, IEnumerable<Endpoint> endpoints, IEnumerable<NetworkPolicy> policies)
    {
        ArgumentNullException.ThrowIfNull(namespaces);
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(policies);
        this.namespaces = namespaces.ToDictionary(n => n.Name, StringComparer.Ordinal);
        Endpoints = endpoints.OrderBy(e => e.Key, StringComparer.Ordinal).ToArray();
        Policies = policies.OrderBy(p => p.Key, StringComparer.Ordinal).ToArray();
        byAddress = [];
        foreach (var endpoint in Endpoints)
        {
            foreach (var address in endpoint.Addresses)
            {
                byAddress.TryAdd(address, endpoint);
            }
        }
    }

    public IReadOnlyCollection<ClusterNamespace> Namespaces => namespaces.Values;

    /// <summary>Pods, ordered by namespace/name.</summary>
    public IReadOnlyList<Endpoint> Endpoints { get; }

    /// <summary>Policies, ordered by namespace/name.</summary>
    public IReadOnlyList<NetworkPolicy> Policies { get; }

    public PolicyModel With(IEnumerable<NetworkPolicy> policies) => new(Namespaces, Endpoints, policies);

    public PolicyModel With(IEnumerable<Endpoint> endpoints) => new(Namespaces, endpoints, Policies);

    public PolicyModel With(IEnumerable<ClusterNamespace> namespaces) => new(namespaces, Endpoints, Policies);

    /// <summary>The labels of a namespace; a namespace nobody described has only its name label.</summary>
    public IReadOnlyDictionary<string, string> NamespaceLabels(string name) =>
        namespaces.TryGetValue(name, out var ns) ? ns.Labels : ClusterNamespace.Create(name).Labels;

    public Endpoint? EndpointAt(IPAddress address) => byAddress.GetValueOrDefault(address);

    public Endpoint? Endpoint(string ns, string name) =>
        Endpoints.FirstOrDefault(e => e.Namespace == ns && e.Name == name);

    /// <summary>The policies whose podSelector selects <paramref name="endpoint"/> (same namespace).</summary>
    public IEnumerable<NetworkPolicy> PoliciesSelecting(Endpoint endpoint) =>
        Policies.Where(p => p.Namespace == endpoint.Namespace && p.PodSelector.Matches(endpoint.Labels));

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
