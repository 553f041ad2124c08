using System.Net;
using System.Net.Sockets;
using Routing.Agent.Datastore;
using Routing.Agent.Datastore.Etcd;
using Routing.Agent.Datastore.Store;

namespace Routing.Agent.Tests.Datastore.Etcd;

/// <summary>What is particular to the etcd store: its keys, its endpoints and how it says they fail.</summary>
public sealed class EtcdResourceStoreTests(EtcdFixture etcd) : IClassFixture<EtcdFixture>
{
    private static readonly EtcdStoreOptions Quick = new() { RequestTimeout = TimeSpan.FromSeconds(1), ConnectTimeout = TimeSpan.FromSeconds(1) };

    private EtcdResourceStore Open(params string[] endpoints) => new(endpoints.Length == 0 ? [etcd.Endpoint] : endpoints, Quick);

    [Fact]
    public async Task Resources_are_kept_under_routing_v1_by_lower_case_kind_namespace_and_name()
    {
        await using var store = Open();
        await store.CreateAsync(ResourceKey.ClusterScoped("LayoutPeer", "tor-1"), """{"spec":{}}""");
        await store.CreateAsync(new ResourceKey("LayoutPeer", "team-1", "tor-2"), """{"spec":{}}""");

        var keys = (await etcd.Etcd.EtcdctlAsync("get", "--prefix", "--keys-only", "/routing/v1/layoutpeer/")).EnsureSuccess();

        Assert.Equal(
            ["/routing/v1/layoutpeer/team-1/tor-2", "/routing/v1/layoutpeer/tor-1"],
            keys.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        var value = (await etcd.Etcd.EtcdctlAsync("get", "--print-value-only", "/routing/v1/layoutpeer/tor-1")).EnsureSuccess();
        Assert.Equal("""{"spec":{}}""", value.StandardOutput.Trim());
    }

    [Fact]
    public async Task A_revision_is_the_keys_mod_revision_and_a_list_revision_the_stores()
    {
        await using var store = Open();
        var key = ResourceKey.ClusterScoped("RevisionPeer", "a");
        var created = await store.CreateAsync(key, "{}");
        await store.CreateAsync(ResourceKey.ClusterScoped("RevisionOther", "b"), "{}");

        var list = await store.ListAsync("RevisionPeer");

        var json = (await etcd.Etcd.EtcdctlAsync("get", "-w", "json", "/routing/v1/revisionpeer/a")).EnsureSuccess().StandardOutput;
        Assert.Contains($"\"mod_revision\":{created.Revision}", json, StringComparison.Ordinal);
        Assert.Equal(long.Parse(created.Revision, System.Globalization.CultureInfo.InvariantCulture) + 1, long.Parse(list.Revision, System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task A_list_longer_than_a_page_is_read_whole()
    {
        await using var store = Open();
        const int Count = 1100;
        var documents = Enumerable.Range(0, Count).Select(i => $"{{\"i\":{i}}}").ToList();
        await Parallel.ForEachAsync(Enumerable.Range(0, Count), new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (i, ct) =>
            await store.CreateAsync(ResourceKey.ClusterScoped("PagedPeer", $"p{i:D4}"), documents[i], ct));

        var list = await store.ListAsync("PagedPeer");

        Assert.Equal(Enumerable.Range(0, Count).Select(i => $"p{i:D4}"), list.Items.Select(r => r.Key.Name));
    }

    [Fact]
    public async Task Keys_under_the_prefix_that_Routing_did_not_write_are_passed_over()
    {
        await using var store = Open();
        await store.CreateAsync(ResourceKey.ClusterScoped("ForeignPeer", "mine"), "{}");
        (await etcd.Etcd.EtcdctlAsync("put", "/routing/v1/foreignpeer/a/b/c", "{}")).EnsureSuccess();
        (await etcd.Etcd.EtcdctlAsync("put", "/routing/v1/foreignpeer/a/", "{}")).EnsureSuccess();

        var list = await store.ListAsync("ForeignPeer");

        Assert.Equal("mine", Assert.Single(list.Items).Key.Name);
    }

    [Theory]
    [InlineData("", "n", "a resource key needs a kind")]
    [InlineData("Kind", "", "a resource key needs a name")]
    [InlineData("Kind", "a/b", "a resource's name cannot hold '/'")]
    public async Task Keys_that_cannot_be_laid_out_are_refused(string kind, string name, string message)
    {
        await using var store = Open();

        var e = await Assert.ThrowsAsync<ArgumentException>(() => store.GetAsync(ResourceKey.ClusterScoped(kind, name)));

        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("0")]
    [InlineData("-3")]
    [InlineData("abc")]
    public async Task Revisions_this_store_never_handed_out_are_refused(string revision)
    {
        await using var store = Open();
        var key = ResourceKey.ClusterScoped("RefusedPeer", "a");

        var e = await Assert.ThrowsAsync<ArgumentException>(() => store.UpdateAsync(key, "{}", revision));

        Assert.Contains("is not an etcd revision", e.Message, StringComparison.Ordinal);
        Assert.Null(await store.GetAsync(key));
    }

    [Fact]
    public async Task An_unreachable_endpoint_is_named_with_the_reason()
    {
        var closed = ClosedPort();
        await using var store = Open($"http://127.0.0.1:{closed}");

        var e = await Assert.ThrowsAsync<IOException>(() => store.GetAsync(ResourceKey.ClusterScoped("Peer", "a")));

        Assert.Equal($"etcd at http://127.0.0.1:{closed}: connection refused", e.Message);
    }

    [Fact]
    public async Task An_endpoint_that_never_answers_times_out_with_its_name()
    {
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var port = ((IPEndPoint)silent.LocalEndpoint).Port;
        await using var store = new EtcdResourceStore([$"http://127.0.0.1:{port}"], Quick with { RequestTimeout = TimeSpan.FromMilliseconds(300) });

        var e = await Assert.ThrowsAsync<IOException>(() => store.ListAsync("Peer"));

        Assert.Equal($"etcd at http://127.0.0.1:{port}: no answer within 0.3 s", e.Message);
    }

    [Fact]
    public async Task Calls_and_watches_fall_over_to_the_next_endpoint()
    {
        var closed = ClosedPort();
        await using var store = Open($"http://127.0.0.1:{closed}", etcd.Endpoint);
        var key = ResourceKey.ClusterScoped("FailoverPeer", "a");
        var list = await store.ListAsync("FailoverPeer");
        await using var watch = new WatchRecorder(store, "FailoverPeer", list.Revision);

        var created = await store.CreateAsync(key, "{}");

        Assert.Equal(created, await store.GetAsync(key));
        var seen = Assert.Single(await watch.WaitForChangesAsync(1));
        Assert.Equal(created.Revision, seen.Revision);
    }

    [Fact]
    public async Task A_deleted_resource_is_watched_with_its_last_state()
    {
        await using var store = Open();
        var key = ResourceKey.ClusterScoped("DeletedPeer", "a");
        var written = await store.CreateAsync(key, """{"v":1}""");
        written = await store.UpdateAsync(key, """{"v":2}""", written.Revision);
        var list = await store.ListAsync("DeletedPeer");
        await using var watch = new WatchRecorder(store, "DeletedPeer", list.Revision);

        await store.DeleteAsync(key);

        var deleted = Assert.Single(await watch.WaitForChangesAsync(1));
        Assert.Equal(ResourceEventType.Deleted, deleted.Type);
        Assert.Equal(written, deleted.Resource);
        Assert.Equal(long.Parse(list.Revision, System.Globalization.CultureInfo.InvariantCulture) + 1, long.Parse(deleted.Revision, System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void The_factory_opens_etcd_URIs_only()
    {
        Assert.Throws<ArgumentException>(() => EtcdResourceStore.Open(DatastoreUri.Parse("file:/tmp/x.yaml")));
        Assert.IsType<EtcdResourceStore>(ResourceStores.Open(DatastoreUri.Parse($"etcd:{etcd.Endpoint}")), exactMatch: true);
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
