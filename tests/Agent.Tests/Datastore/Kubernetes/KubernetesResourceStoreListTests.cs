using System.Globalization;
using System.Text.Json.Nodes;
using Routing.Agent.Datastore.Kubernetes;
using Routing.Agent.Datastore.Store;

namespace Routing.Agent.Tests.Datastore.Kubernetes;

/// <summary>Lists: paging with limit and continue, one revision for the whole list, and the fallback when a continue token expires.</summary>
public sealed class KubernetesResourceStoreListTests : IAsyncLifetime
{
    private FakeCluster cluster = null!;
    private KubernetesResourceStore store = null!;

    public async Task InitializeAsync()
    {
        cluster = await FakeCluster.StartAsync();
        store = cluster.NewStore(FakeCluster.FastOptions with { PageSize = 2 });
    }

    public async Task DisposeAsync() => await cluster.DisposeAsync();

    private async Task CreatePoolsAsync(int count)
    {
        for (var i = 0; i < count; i++)
        {
            await store.CreateAsync(Pool(i), $"{{\"spec\":{{\"cidr\":\"10.{i}.0.0/16\"}}}}");
        }
    }

    private static ResourceKey Pool(int i) => ResourceKey.ClusterScoped("IPPool", $"pool-{i}");

    [Fact]
    public async Task An_empty_kind_lists_nothing_at_the_current_revision()
    {
        await store.CreateAsync(ResourceKey.ClusterScoped("BGPPeer", "p"), "{}");

        var list = await store.ListAsync("IPPool");

        Assert.Empty(list.Items);
        Assert.Equal(cluster.Server.Store.Revision.ToString(CultureInfo.InvariantCulture), list.Revision);
    }

    [Fact]
    public async Task A_list_is_read_page_by_page_and_has_the_first_pages_revision()
    {
        await CreatePoolsAsync(5);
        var revision = cluster.Server.Store.Revision.ToString(CultureInfo.InvariantCulture);

        var list = await store.ListAsync("IPPool");

        Assert.Equal(Enumerable.Range(0, 5).Select(Pool), list.Items.Select(i => i.Key));
        Assert.Equal(revision, list.Revision);
        var pages = cluster.Server.Requests.Where(r => r.StartsWith("GET /apis/routing.dev/v1/ippools?", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, pages.Count);
        Assert.Equal("GET /apis/routing.dev/v1/ippools?limit=2", pages[0]);
        Assert.All(pages.Skip(1), page => Assert.Contains("&continue=", page, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Writes_between_pages_are_not_in_the_list_but_in_the_watch_from_its_revision()
    {
        await CreatePoolsAsync(4);
        var writer = cluster.NewStore();
        var written = 0;
        cluster.Server.OnRequest = request =>
        {
            // Between the first and second page: one pool changes, one is added, one deleted.
            if (request.Contains("continue=", StringComparison.Ordinal) && Interlocked.Exchange(ref written, 1) == 0)
            {
                Task.Run(async () =>
                {
                    var current = await writer.GetAsync(Pool(3));
                    await writer.UpdateAsync(Pool(3), """{"spec":{"cidr":"10.99.0.0/16"}}""", current!.Revision);
                    await writer.CreateAsync(Pool(9), "{}");
                    await writer.DeleteAsync(Pool(2));
                }).Wait();
            }
        };

        var list = await store.ListAsync("IPPool");
        cluster.Server.OnRequest = null;

        Assert.Equal(1, written);
        Assert.Equal(Enumerable.Range(0, 4).Select(Pool), list.Items.Select(i => i.Key));
        Assert.Contains("10.3.0.0/16", list.Items[3].Json, StringComparison.Ordinal);
        await using var watch = new WatchRecorder(store, "IPPool", list.Revision);
        Assert.Equal((ResourceEventType.Modified, Pool(3)), Summary(await watch.NextChangeAsync()));
        Assert.Equal((ResourceEventType.Added, Pool(9)), Summary(await watch.NextChangeAsync()));
        Assert.Equal((ResourceEventType.Deleted, Pool(2)), Summary(await watch.NextChangeAsync()));
    }

    [Fact]
    public async Task An_expired_continue_token_falls_back_to_one_unpaged_list()
    {
        await CreatePoolsAsync(5);
        cluster.Server.OnRequest = request =>
        {
            // A write, then a compaction: the first page's revision is gone.
            if (request.Contains("continue=", StringComparison.Ordinal))
            {
                var peers = Assert.Single(CrdManifests.ResourceTypes(), t => t.Kind == "BGPPeer");
                cluster.Server.Store.Create(peers, "", JsonNode.Parse(
                    $"{{\"apiVersion\":\"routing.dev/v1\",\"kind\":\"BGPPeer\",\"metadata\":{{\"name\":\"p{cluster.Server.Store.Revision}\"}}}}")!.AsObject());
                cluster.Server.Store.Compact();
            }
        };

        var list = await store.ListAsync("IPPool");

        Assert.Equal(5, list.Items.Count);
        Assert.Equal(cluster.Server.Store.Revision.ToString(CultureInfo.InvariantCulture), list.Revision);
        Assert.Equal(
            ["GET /apis/routing.dev/v1/ippools?limit=2", "GET /apis/routing.dev/v1/ippools?"],
            cluster.Server.Requests.Where(r => r.StartsWith("GET /apis/routing.dev/v1/ippools?", StringComparison.Ordinal) && !r.Contains("continue", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Namespaced_kinds_are_listed_across_namespaces_with_their_type_filled_in()
    {
        await store.CreateAsync(new ResourceKey("Pod", "kube-system", "dns"), """{"spec":{"nodeName":"n1"}}""");
        await store.CreateAsync(new ResourceKey("Pod", "default", "web"), """{"spec":{"nodeName":"n2"}}""");
        await store.CreateAsync(new ResourceKey("Pod", "default", "db"), "{}");

        var list = await store.ListAsync("Pod");

        Assert.Equal(
            [new ResourceKey("Pod", "default", "db"), new ResourceKey("Pod", "default", "web"), new ResourceKey("Pod", "kube-system", "dns")],
            list.Items.Select(i => i.Key));
        Assert.All(list.Items, item => Assert.StartsWith("""{"apiVersion":"v1","kind":"Pod",""", item.Json, StringComparison.Ordinal));
        Assert.Equal("GET /api/v1/pods?limit=2", cluster.Server.Requests.First(r => r.StartsWith("GET /api/v1/pods", StringComparison.Ordinal)));
    }

    internal static (ResourceEventType, ResourceKey?) Summary(ResourceEvent change) => (change.Type, change.Resource?.Key);
}
