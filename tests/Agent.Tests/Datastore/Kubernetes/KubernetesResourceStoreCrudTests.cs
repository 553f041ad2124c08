using System.Text.Json;
using Routing.Agent.Datastore.Kubernetes;
using Routing.Agent.Datastore.Store;

namespace Routing.Agent.Tests.Datastore.Kubernetes;

/// <summary>Get, create, update and delete against the fake API server: revisions, conflicts and errors.</summary>
public sealed class KubernetesResourceStoreCrudTests : IAsyncLifetime
{
    private static readonly ResourceKey PeerA = ResourceKey.ClusterScoped("BGPPeer", "peer-a");

    private FakeCluster cluster = null!;
    private KubernetesResourceStore store = null!;

    public async Task InitializeAsync()
    {
        cluster = await FakeCluster.StartAsync();
        store = cluster.NewStore();
    }

    public async Task DisposeAsync() => await cluster.DisposeAsync();

    internal static string Peer(string asNumber) => """{"spec":{"peerIP":"192.0.2.1","asNumber":""" + asNumber + "}}";

    [Fact]
    public async Task Create_then_get_returns_the_document_with_its_revision()
    {
        var created = await store.CreateAsync(PeerA, Peer("64513"));
        var read = await store.GetAsync(PeerA);

        Assert.NotNull(read);
        Assert.Equal(PeerA, created.Key);
        Assert.Equal(created, read);
        using var json = JsonDocument.Parse(read.Json);
        var root = json.RootElement;
        Assert.Equal("routing.dev/v1", root.GetProperty("apiVersion").GetString());
        Assert.Equal("BGPPeer", root.GetProperty("kind").GetString());
        Assert.Equal("peer-a", root.GetProperty("metadata").GetProperty("name").GetString());
        Assert.Equal(read.Revision, root.GetProperty("metadata").GetProperty("resourceVersion").GetString());
        Assert.Equal(64513, root.GetProperty("spec").GetProperty("asNumber").GetInt32());
        Assert.Contains("POST /apis/routing.dev/v1/bgppeers", cluster.Server.Requests);
        Assert.Contains("GET /apis/routing.dev/v1/bgppeers/peer-a", cluster.Server.Requests);
    }

    [Fact]
    public async Task Get_of_a_missing_resource_is_null()
    {
        Assert.Null(await store.GetAsync(PeerA));
    }

    [Fact]
    public async Task Create_of_an_existing_key_is_AlreadyExists()
    {
        await store.CreateAsync(PeerA, Peer("64513"));

        var e = await Assert.ThrowsAsync<ResourceStoreException>(() => store.CreateAsync(PeerA, Peer("64514")));

        Assert.Equal(ResourceStoreError.AlreadyExists, e.Error);
        Assert.Equal(PeerA, e.Key);
        Assert.Equal("BGPPeer/peer-a already exists (Kubernetes: bgppeers.routing.dev \"peer-a\" already exists)", e.Message);
    }

    [Fact]
    public async Task Create_ignores_a_revision_in_the_document()
    {
        var created = await store.CreateAsync(PeerA, """{"metadata":{"name":"peer-a","resourceVersion":"7"},"spec":{}}""");

        Assert.NotEqual("7", created.Revision);
    }

    [Fact]
    public async Task Update_at_the_current_revision_writes_a_new_revision()
    {
        var created = await store.CreateAsync(PeerA, Peer("64513"));

        var updated = await store.UpdateAsync(PeerA, Peer("64514"), created.Revision);

        Assert.NotEqual(created.Revision, updated.Revision);
        Assert.Equal(updated, await store.GetAsync(PeerA));
        Assert.Contains("\"asNumber\":64514", updated.Json, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Of_two_writers_at_one_revision_one_wins_and_the_other_gets_Conflict()
    {
        var created = await store.CreateAsync(PeerA, Peer("64513"));
        var other = cluster.NewStore();

        var first = await store.UpdateAsync(PeerA, Peer("64514"), created.Revision);
        var e = await Assert.ThrowsAsync<ResourceStoreException>(() => other.UpdateAsync(PeerA, Peer("64515"), created.Revision));

        Assert.Equal(ResourceStoreError.Conflict, e.Error);
        Assert.StartsWith("BGPPeer/peer-a changed since it was read; read it again and retry (Kubernetes: Operation cannot be fulfilled on bgppeers.routing.dev \"peer-a\"", e.Message, StringComparison.Ordinal);
        Assert.Equal(first, await other.GetAsync(PeerA));

        // The loser reads again and retries: then it wins.
        var retried = await other.UpdateAsync(PeerA, Peer("64515"), first.Revision);
        Assert.Contains("64515", retried.Json, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Concurrent_writers_each_win_exactly_once_per_revision()
    {
        var created = await store.CreateAsync(PeerA, Peer("1"));
        var writers = Enumerable.Range(2, 8).Select(asn => cluster.NewStore()).ToList();

        var results = await Task.WhenAll(writers.Select(async (writer, i) =>
        {
            try
            {
                await writer.UpdateAsync(PeerA, Peer((i + 2).ToString(System.Globalization.CultureInfo.InvariantCulture)), created.Revision);
                return true;
            }
            catch (ResourceStoreException e) when (e.Error == ResourceStoreError.Conflict)
            {
                return false;
            }
        }));

        Assert.Single(results, won => won);
    }

    [Fact]
    public async Task Update_of_a_missing_resource_is_NotFound()
    {
        var e = await Assert.ThrowsAsync<ResourceStoreException>(() => store.UpdateAsync(PeerA, Peer("64513"), "5"));

        Assert.Equal(ResourceStoreError.NotFound, e.Error);
        Assert.Equal("BGPPeer/peer-a does not exist (Kubernetes: bgppeers.routing.dev \"peer-a\" not found)", e.Message);
    }

    [Fact]
    public async Task Delete_checks_the_revision_when_given()
    {
        var created = await store.CreateAsync(PeerA, Peer("64513"));
        var updated = await store.UpdateAsync(PeerA, Peer("64514"), created.Revision);

        var e = await Assert.ThrowsAsync<ResourceStoreException>(() => store.DeleteAsync(PeerA, created.Revision));
        Assert.Equal(ResourceStoreError.Conflict, e.Error);
        Assert.Contains("Precondition failed", e.Message, StringComparison.Ordinal);
        Assert.NotNull(await store.GetAsync(PeerA));

        Assert.True(await store.DeleteAsync(PeerA, updated.Revision));
        Assert.Null(await store.GetAsync(PeerA));
    }

    [Fact]
    public async Task Delete_without_a_revision_deletes_whatever_is_there()
    {
        await store.CreateAsync(PeerA, Peer("64513"));

        Assert.True(await store.DeleteAsync(PeerA));
        Assert.False(await store.DeleteAsync(PeerA));
        Assert.False(await store.DeleteAsync(PeerA, "12"));
    }

    [Fact]
    public async Task Documents_that_name_another_resource_are_refused_before_sending()
    {
        var requests = cluster.Server.Requests.Count;

        var name = await Assert.ThrowsAsync<ArgumentException>(() => store.CreateAsync(PeerA, """{"metadata":{"name":"peer-b"}}"""));
        var kind = await Assert.ThrowsAsync<ArgumentException>(() => store.CreateAsync(PeerA, """{"kind":"IPPool"}"""));
        var notJson = await Assert.ThrowsAsync<ArgumentException>(() => store.CreateAsync(PeerA, "{"));
        var ns = await Assert.ThrowsAsync<ArgumentException>(() => store.CreateAsync(new ResourceKey("BGPPeer", "default", "x"), "{}"));

        Assert.Equal("BGPPeer/peer-a: the document has name \"peer-b\", expected \"peer-a\"", name.Message);
        Assert.Equal("BGPPeer/peer-a: the document has kind \"IPPool\", expected \"BGPPeer\"", kind.Message);
        Assert.StartsWith("BGPPeer/peer-a: the document is not JSON", notJson.Message, StringComparison.Ordinal);
        Assert.StartsWith("BGPPeer/default/x: BGPPeer is cluster-scoped", ns.Message, StringComparison.Ordinal);
        Assert.Equal(requests, cluster.Server.Requests.Count);
    }

    [Fact]
    public async Task A_wrong_token_is_reported_with_the_API_servers_words()
    {
        var stranger = cluster.NewStore(token: "wrong");

        var e = await Assert.ThrowsAsync<KubernetesApiException>(() => stranger.GetAsync(PeerA));

        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, e.StatusCode);
        Assert.Equal("kubernetes: get BGPPeer/peer-a failed: 401 Unauthorized: Unauthorized", e.Message);
    }

    [Fact]
    public async Task Missing_CRDs_are_named_with_the_fix()
    {
        await using var bare = await Fake.FakeApiServer.StartAsync();
        await using var bareStore = new KubernetesResourceStore(new KubernetesClientConfig { Server = bare.Address });

        var get = await Assert.ThrowsAsync<KubernetesApiException>(() => bareStore.GetAsync(PeerA));
        var list = await Assert.ThrowsAsync<KubernetesApiException>(() => bareStore.ListAsync("IPPool"));

        Assert.Equal(
            "kubernetes: get BGPPeer/peer-a: the API server does not serve bgppeers.routing.dev (the server could not find the requested resource); " +
            "are Routing's CRDs installed? kubectl apply -f manifests/crds/", get.Message);
        Assert.Contains("does not serve ippools.routing.dev", list.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreachable_server_is_named()
    {
        var address = cluster.Server.Address;
        await cluster.Server.DisposeAsync();

        var e = await Assert.ThrowsAsync<KubernetesApiException>(() => store.GetAsync(PeerA));

        Assert.StartsWith($"kubernetes: get BGPPeer/peer-a: cannot reach the API server at {address} (test): ", e.Message, StringComparison.Ordinal);
        Assert.Null(e.StatusCode);
    }

    [Fact]
    public async Task Unknown_kinds_are_refused_with_the_known_ones()
    {
        var e = await Assert.ThrowsAsync<ArgumentException>(() => store.ListAsync("Widget"));

        Assert.StartsWith("the kubernetes datastore has no kind 'Widget'; it knows RoutingNode, BGPConfiguration, BGPPeer,", e.Message, StringComparison.Ordinal);
    }
}
