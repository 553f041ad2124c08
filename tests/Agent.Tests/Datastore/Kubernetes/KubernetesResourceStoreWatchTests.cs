using System.Globalization;
using Routing.Agent.Datastore.Kubernetes;
using Routing.Agent.Datastore.Store;
using static Routing.Agent.Tests.Datastore.Kubernetes.KubernetesResourceStoreListTests;

namespace Routing.Agent.Tests.Datastore.Kubernetes;

/// <summary>Watches: every change in order, resumed after drops and timeouts without loss or repetition, bookmarks, 410 Gone.</summary>
public sealed class KubernetesResourceStoreWatchTests : IAsyncLifetime
{
    private static readonly ResourceKey NodeA = ResourceKey.ClusterScoped("RoutingNode", "node-a");
    private static readonly ResourceKey NodeB = ResourceKey.ClusterScoped("RoutingNode", "node-b");

    private FakeCluster cluster = null!;
    private KubernetesResourceStore store = null!;

    public async Task InitializeAsync()
    {
        cluster = await FakeCluster.StartAsync();
        store = cluster.NewStore();
    }

    public async Task DisposeAsync() => await cluster.DisposeAsync();

    private static string Node(int asn) => $"{{\"spec\":{{\"asNumber\":{asn}}}}}";

    private List<string> WatchRequests() =>
        cluster.Server.Requests.Where(r => r.Contains("watch=1", StringComparison.Ordinal)).ToList();

    [Fact]
    public async Task A_watch_sees_every_change_in_order_with_its_revision()
    {
        await store.CreateAsync(ResourceKey.ClusterScoped("RoutingNode", "before"), Node(1));
        var list = await store.ListAsync("RoutingNode");
        await using var watch = new WatchRecorder(store, "RoutingNode", list.Revision);

        var a = await store.CreateAsync(NodeA, Node(64512));
        var b = await store.CreateAsync(NodeB, Node(64513));
        await store.CreateAsync(ResourceKey.ClusterScoped("BGPPeer", "other-kind"), "{}");
        var a2 = await store.UpdateAsync(NodeA, Node(64514), a.Revision);
        Assert.True(await store.DeleteAsync(NodeB, b.Revision));

        var added = await watch.NextChangeAsync();
        Assert.Equal(ResourceEventType.Added, added.Type);
        Assert.Equal(a, added.Resource);
        Assert.Equal(a.Revision, added.Revision);
        Assert.Equal(b, (await watch.NextChangeAsync()).Resource);
        var modified = await watch.NextChangeAsync();
        Assert.Equal((ResourceEventType.Modified, a2), (modified.Type, modified.Resource));
        var deleted = await watch.NextChangeAsync();
        Assert.Equal((ResourceEventType.Deleted, NodeB), Summary(deleted));
        Assert.Contains("64513", deleted.Resource!.Json, StringComparison.Ordinal);
        Assert.True(long.Parse(deleted.Revision, CultureInfo.InvariantCulture) > long.Parse(a2.Revision, CultureInfo.InvariantCulture));
        await watch.AssertNoChangeAsync(TimeSpan.FromMilliseconds(200));
        Assert.Equal(
            $"GET /apis/routing.dev/v1/routingnodes?watch=1&resourceVersion={list.Revision}&allowWatchBookmarks=true&timeoutSeconds=300",
            Assert.Single(WatchRequests()));
    }

    [Fact]
    public async Task A_dropped_connection_is_resumed_from_the_last_revision_without_loss_or_repetition()
    {
        var list = await store.ListAsync("RoutingNode");
        await using var watch = new WatchRecorder(store, "RoutingNode", list.Revision);
        await cluster.Server.WaitForWatchersAsync(1);

        var created = await store.CreateAsync(NodeA, Node(1));
        Assert.Equal(created, (await watch.NextChangeAsync()).Resource);

        // Changes queued but unsent when the connection drops, and changes while it is down.
        var revision = created.Revision;
        cluster.Server.FailNext(2);
        var writer = cluster.NewStore();
        cluster.Server.DropWatches();
        for (var asn = 2; asn <= 6; asn++)
        {
            revision = (await RetryAsync(() => writer.UpdateAsync(NodeA, Node(asn), revision))).Revision;
        }

        for (var asn = 2; asn <= 6; asn++)
        {
            var change = await watch.NextChangeAsync();
            Assert.Equal(ResourceEventType.Modified, change.Type);
            Assert.Contains($"\"asNumber\":{asn}", change.Resource!.Json, StringComparison.Ordinal);
        }

        await watch.AssertNoChangeAsync(TimeSpan.FromMilliseconds(300));
        var watches = WatchRequests();
        Assert.True(watches.Count >= 2, string.Join('\n', watches));
        Assert.Contains($"resourceVersion={created.Revision}&", watches[^1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Repeated_drops_under_a_stream_of_writes_lose_and_repeat_nothing()
    {
        var list = await store.ListAsync("RoutingNode");
        await using var watch = new WatchRecorder(store, "RoutingNode", list.Revision);
        await cluster.Server.WaitForWatchersAsync(1);

        var writes = Task.Run(async () =>
        {
            var writer = cluster.NewStore();
            for (var i = 0; i < 60; i++)
            {
                await writer.CreateAsync(ResourceKey.ClusterScoped("RoutingNode", $"n{i}"), Node(i + 1));
                if (i % 10 == 5)
                {
                    cluster.Server.DropWatches();
                }
            }
        });

        var seen = new List<string>();
        for (var i = 0; i < 60; i++)
        {
            seen.Add((await watch.NextChangeAsync()).Resource!.Key.Name);
        }

        await writes;
        Assert.Equal(Enumerable.Range(0, 60).Select(i => $"n{i}"), seen);
        await watch.AssertNoChangeAsync(TimeSpan.FromMilliseconds(300));
    }

    [Fact]
    public async Task The_server_side_timeout_ends_a_watch_with_a_bookmark_and_the_next_one_continues()
    {
        var quick = cluster.NewStore(FakeCluster.FastOptions with { WatchTimeout = TimeSpan.FromSeconds(1) });
        var list = await quick.ListAsync("RoutingNode");
        await using var watch = new WatchRecorder(quick, "RoutingNode", list.Revision);

        var a = await store.CreateAsync(NodeA, Node(1));
        Assert.Equal(a, (await watch.NextChangeAsync()).Resource);
        var bookmark = await watch.NextAsync();
        Assert.Equal((ResourceEventType.Bookmark, a.Revision), (bookmark.Type, bookmark.Revision));
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        var b = await store.CreateAsync(NodeB, Node(2));
        Assert.Equal(b, (await watch.NextChangeAsync()).Resource);

        await watch.AssertNoChangeAsync(TimeSpan.FromMilliseconds(300));
        var watches = WatchRequests();
        Assert.True(watches.Count >= 3, string.Join('\n', watches));
        Assert.All(watches, w => Assert.Contains("timeoutSeconds=1", w, StringComparison.Ordinal));
        var from = watches.Select(ResourceVersionOf).ToList();
        Assert.Equal(from.Order(), from);
        Assert.All(from.Skip(1), r => Assert.True(r >= long.Parse(a.Revision, CultureInfo.InvariantCulture)));
    }

    [Fact]
    public async Task Streams_that_end_at_once_are_retried_with_back_off_not_in_a_tight_loop()
    {
        cluster.Server.MaxWatchTimeout = TimeSpan.Zero;
        var list = await store.ListAsync("RoutingNode");
        await using var watch = new WatchRecorder(store, "RoutingNode", list.Revision);

        var a = await store.CreateAsync(NodeA, Node(1));
        Assert.Equal(a, (await watch.NextChangeAsync()).Resource);
        await Task.Delay(TimeSpan.FromMilliseconds(600));

        // FastOptions back off 10, 20, 40, 80, then 100 ms: a handful of requests, not hundreds.
        Assert.InRange(WatchRequests().Count, 2, 30);
    }

    [Fact]
    public async Task Periodic_bookmarks_move_a_quiet_watch_along()
    {
        cluster.Server.BookmarkInterval = TimeSpan.FromMilliseconds(100);
        var list = await store.ListAsync("RoutingNode");
        await using var watch = new WatchRecorder(store, "RoutingNode", list.Revision);
        await cluster.Server.WaitForWatchersAsync(1);

        var peer = await store.CreateAsync(ResourceKey.ClusterScoped("BGPPeer", "p1"), "{}");

        ResourceEvent bookmark;
        do
        {
            bookmark = await watch.NextAsync();
        }
        while (bookmark.Revision != peer.Revision);
        Assert.Equal(ResourceEventType.Bookmark, bookmark.Type);
    }

    private static long ResourceVersionOf(string request)
    {
        var start = request.IndexOf("resourceVersion=", StringComparison.Ordinal) + "resourceVersion=".Length;
        return long.Parse(request.AsSpan(start, request.IndexOf('&', start) - start), CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task Bookmarks_are_passed_on_and_advance_the_resume_point()
    {
        var list = await store.ListAsync("RoutingNode");
        await using var watch = new WatchRecorder(store, "RoutingNode", list.Revision);
        await cluster.Server.WaitForWatchersAsync(1);

        // Other kinds move the revision on; a bookmark says this watch has seen up to there.
        await store.CreateAsync(ResourceKey.ClusterScoped("BGPPeer", "p1"), "{}");
        var peer = await store.CreateAsync(ResourceKey.ClusterScoped("BGPPeer", "p2"), "{}");
        cluster.Server.Store.Bookmark();

        var bookmark = await watch.NextAsync();
        Assert.Equal(ResourceEventType.Bookmark, bookmark.Type);
        Assert.Null(bookmark.Resource);
        Assert.Equal(peer.Revision, bookmark.Revision);

        // The next watch starts from the bookmark, not from the list's revision.
        cluster.Server.EndWatches();
        using (var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
        {
            while (WatchRequests().Count < 2)
            {
                await Task.Delay(10, cancel.Token);
            }
        }

        Assert.Contains($"resourceVersion={peer.Revision}&", WatchRequests()[1], StringComparison.Ordinal);
        var a = await store.CreateAsync(NodeA, Node(1));
        Assert.Equal(a, (await watch.NextChangeAsync()).Resource);
    }

    [Fact]
    public async Task A_compacted_revision_is_Expired_and_a_new_list_and_watch_go_on()
    {
        var list = await store.ListAsync("RoutingNode");
        await store.CreateAsync(NodeA, Node(1));
        cluster.Server.Store.Compact();

        var e = await Assert.ThrowsAsync<ResourceStoreException>(async () => await FirstAsync(store.WatchAsync("RoutingNode", list.Revision)));

        Assert.Equal(ResourceStoreError.Expired, e.Error);
        Assert.Equal(
            $"RoutingNode: the revision the watch resumes from is no longer kept; list again (Kubernetes: Expired: too old resource version: {list.Revision} ({cluster.Server.Store.Revision}))",
            e.Message);

        var relist = await store.ListAsync("RoutingNode");
        Assert.Equal([NodeA], relist.Items.Select(i => i.Key));
        await using var watch = new WatchRecorder(store, "RoutingNode", relist.Revision);
        var b = await store.CreateAsync(NodeB, Node(2));
        Assert.Equal(b, (await watch.NextChangeAsync()).Resource);
    }

    [Fact]
    public async Task A_history_window_smaller_than_the_backlog_expires_a_resumed_watch()
    {
        cluster.Server.Store.HistoryLimit = 3;
        var patient = cluster.NewStore(FakeCluster.FastOptions with { MaxWatchAttempts = int.MaxValue });
        var list = await store.ListAsync("RoutingNode");
        await using var watch = new WatchRecorder(patient, "RoutingNode", list.Revision);
        await cluster.Server.WaitForWatchersAsync(1);
        var a = await store.CreateAsync(NodeA, Node(1));
        Assert.Equal(a, (await watch.NextChangeAsync()).Resource);

        // While the watch is cut off, more changes happen than the server keeps.
        cluster.Server.FailNext(1000);
        cluster.Server.DropWatches();
        var writer = cluster.Server.Store;
        var type = Assert.Single(CrdManifests.ResourceTypes(), t => t.Kind == "RoutingNode");
        for (var i = 0; i < 5; i++)
        {
            writer.Create(type, "", System.Text.Json.Nodes.JsonNode.Parse($"{{\"apiVersion\":\"routing.dev/v1\",\"kind\":\"RoutingNode\",\"metadata\":{{\"name\":\"x{i}\"}}}}")!.AsObject());
        }

        cluster.Server.FailNext(0);
        var e = await Assert.ThrowsAsync<ResourceStoreException>(() => watch.NextChangeAsync());
        Assert.Equal(ResourceStoreError.Expired, e.Error);
    }

    [Fact]
    public async Task Server_errors_when_watching_are_retried()
    {
        var list = await store.ListAsync("RoutingNode");
        cluster.Server.FailNext(3, 503);
        await using var watch = new WatchRecorder(store, "RoutingNode", list.Revision);

        await cluster.Server.WaitForWatchersAsync(1);
        var a = await store.CreateAsync(NodeA, Node(1));

        Assert.Equal(a, (await watch.NextChangeAsync()).Resource);
        Assert.Equal(4, WatchRequests().Count);
    }

    [Fact]
    public async Task A_watch_that_cannot_start_at_all_gives_up_with_the_servers_words()
    {
        var list = await store.ListAsync("RoutingNode");
        cluster.Server.FailNext(100, 500);
        var patient = cluster.NewStore(FakeCluster.FastOptions with { MaxWatchAttempts = 3 });

        var e = await Assert.ThrowsAsync<KubernetesApiException>(async () => await FirstAsync(patient.WatchAsync("RoutingNode", list.Revision)));

        Assert.Equal("kubernetes: watch RoutingNode failed: 500 InternalError: the test asked for this failure", e.Message);
        Assert.Equal(3, WatchRequests().Count);
    }

    [Fact]
    public async Task Namespaced_kinds_are_watched_across_namespaces()
    {
        var list = await store.ListAsync("EndpointSlice");
        await using var watch = new WatchRecorder(store, "EndpointSlice", list.Revision);

        var slice = await store.CreateAsync(new ResourceKey("EndpointSlice", "default", "web-abc"), """{"addressType":"IPv4","endpoints":[]}""");

        Assert.Equal(slice, (await watch.NextChangeAsync()).Resource);
        Assert.StartsWith("GET /apis/discovery.k8s.io/v1/endpointslices?watch=1&", Assert.Single(WatchRequests()), StringComparison.Ordinal);
    }

    private static async Task<ResourceEvent?> FirstAsync(IAsyncEnumerable<ResourceEvent> events)
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await foreach (var change in events.WithCancellation(cancel.Token))
        {
            return change;
        }

        return null;
    }

    private static async Task<T> RetryAsync<T>(Func<Task<T>> write)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await write();
            }
            catch (KubernetesApiException) when (attempt < 5)
            {
            }
        }
    }
}
