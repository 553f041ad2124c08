using Routing.Agent.Resources;

namespace Routing.Agent.Datastore.Kubernetes;

/// <summary>
/// The kinds the agent reads from the API server: Routing's own, served as CRDs under
/// <c>routing.dev/v1</c> (all cluster-scoped, see <c>manifests/crds/</c>), and the Kubernetes kinds
/// it watches, at their upstream paths.
/// </summary>
public static class KubernetesKinds
{
    private const string Version = "v1";

    /// <summary>Every kind the store knows, by <see cref="Store.ResourceKey.Kind"/>.</summary>
    public static IReadOnlyList<KubernetesApiResource> All { get; } =
    [
        Crd(ResourceKinds.RoutingNode, "routingnodes"),
        Crd(ResourceKinds.BgpConfiguration, "bgpconfigurations"),
        Crd(ResourceKinds.BgpPeer, "bgppeers"),
        Crd(ResourceKinds.IPPool, "ippools"),
        Crd(ResourceKinds.GlobalNetworkPolicy, "globalnetworkpolicies"),
        Crd(ResourceKinds.IpamBlock, "ipamblocks"),
        Crd(ResourceKinds.BlockAffinity, "blockaffinities"),
        Crd(ResourceKinds.IpamHandle, "ipamhandles"),
        Crd(ResourceKinds.IPReservation, "ipreservations"),
        new("Node", "", Version, "nodes", Namespaced: false),
        new("Namespace", "", Version, "namespaces", Namespaced: false),
        new("Pod", "", Version, "pods", Namespaced: true),
        new("Service", "", Version, "services", Namespaced: true),
        new("EndpointSlice", "discovery.k8s.io", Version, "endpointslices", Namespaced: true),
        new("NetworkPolicy", "networking.k8s.io", Version, "networkpolicies", Namespaced: true),
    ];

    private static readonly Dictionary<string, KubernetesApiResource> ByKind = All.ToDictionary(r => r.Kind, StringComparer.Ordinal);

    /// <exception cref="ArgumentException">The kind is not one the store knows; the message lists those it does.</exception>
    public static KubernetesApiResource Find(string kind)
    {
        ArgumentException.ThrowIfNullOrEmpty(kind);
        return ByKind.TryGetValue(kind, out var resource)
            ? resource
            : throw new ArgumentException($"the kubernetes datastore has no kind '{kind}'; it knows {string.Join(", ", ByKind.Keys)}", nameof(kind));
    }

    private static KubernetesApiResource Crd(string kind, string plural) => new(kind, ResourceKinds.Group, Version, plural, Namespaced: false);
}
