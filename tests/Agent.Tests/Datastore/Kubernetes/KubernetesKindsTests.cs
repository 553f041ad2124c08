using Routing.Agent.Datastore.Kubernetes;
using Routing.Agent.Datastore.Store;

namespace Routing.Agent.Tests.Datastore.Kubernetes;

/// <summary>Each kind's REST paths, checked against the fake API server, which knows the upstream paths independently.</summary>
public sealed class KubernetesKindsTests : IAsyncLifetime
{
    private FakeCluster cluster = null!;
    private KubernetesResourceStore store = null!;

    public async Task InitializeAsync()
    {
        cluster = await FakeCluster.StartAsync();
        store = cluster.NewStore();
    }

    public async Task DisposeAsync() => await cluster.DisposeAsync();

    [Theory]
    [InlineData("Node", "", "/api/v1/nodes")]
    [InlineData("Namespace", "", "/api/v1/namespaces")]
    [InlineData("Pod", "default", "/api/v1/namespaces/default/pods")]
    [InlineData("Service", "kube-system", "/api/v1/namespaces/kube-system/services")]
    [InlineData("EndpointSlice", "default", "/apis/discovery.k8s.io/v1/namespaces/default/endpointslices")]
    [InlineData("NetworkPolicy", "prod", "/apis/networking.k8s.io/v1/namespaces/prod/networkpolicies")]
    [InlineData("RoutingNode", "", "/apis/routing.dev/v1/routingnodes")]
    [InlineData("IPAMBlock", "", "/apis/routing.dev/v1/ipamblocks")]
    [InlineData("GlobalNetworkPolicy", "", "/apis/routing.dev/v1/globalnetworkpolicies")]
    public async Task Each_kind_is_served_at_its_upstream_path(string kind, string ns, string collection)
    {
        var key = new ResourceKey(kind, ns, "x1");

        var created = await store.CreateAsync(key, "{}");
        var read = await store.GetAsync(key);
        var updated = await store.UpdateAsync(key, """{"metadata":{"labels":{"a":"b"}}}""", created.Revision);
        var list = await store.ListAsync(kind);
        var deleted = await store.DeleteAsync(key, updated.Revision);

        Assert.Equal(created, read);
        Assert.Equal(key, Assert.Single(list.Items).Key);
        Assert.True(deleted);
        var all = KubernetesKinds.Find(kind).CollectionPath();
        Assert.Equal(
            [$"POST {collection}", $"GET {collection}/x1", $"PUT {collection}/x1", $"GET {all}?limit=500", $"DELETE {collection}/x1"],
            cluster.Server.Requests);
    }

    [Fact]
    public void Names_and_namespaces_are_escaped_in_paths()
    {
        var pod = KubernetesKinds.Find("Pod");

        Assert.Equal("/api/v1/namespaces/a%20b/pods/c%2Fd", pod.ItemPath(new ResourceKey("Pod", "a b", "c/d")));
        Assert.Equal("/api/v1/pods", pod.CollectionPath());
        Assert.Equal("pods", pod.QualifiedName);
        Assert.Equal("v1", pod.ApiVersion);
        Assert.Equal("ipamhandles.routing.dev", KubernetesKinds.Find("IPAMHandle").QualifiedName);
    }

    [Fact]
    public void Keys_must_fit_the_kinds_scope()
    {
        var pod = Assert.Throws<ArgumentException>(() => KubernetesKinds.Find("Pod").ItemPath(ResourceKey.ClusterScoped("Pod", "web")));
        var node = Assert.Throws<ArgumentException>(() => KubernetesKinds.Find("Node").ItemPath(new ResourceKey("Node", "default", "n1")));

        Assert.StartsWith("Pod/web: Pod is namespaced; the key needs a namespace", pod.Message, StringComparison.Ordinal);
        Assert.StartsWith("Node/default/n1: Node is cluster-scoped; the key must not have a namespace", node.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_Routing_kind_is_a_cluster_scoped_routing_dev_v1_resource()
    {
        foreach (var kind in Routing.Agent.Resources.ResourceKinds.All)
        {
            var resource = KubernetesKinds.Find(kind);
            Assert.Equal(("routing.dev", "v1", false), (resource.Group, resource.Version, resource.Namespaced));
            Assert.Equal(resource.Plural, resource.Plural.ToLowerInvariant());
        }
    }
}
