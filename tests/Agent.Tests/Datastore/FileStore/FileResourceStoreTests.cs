using System.Text.Json.Nodes;
using Routing.Agent.Datastore.FileStore;
using Routing.Agent.Datastore.Store;
using Routing.Agent.Resources;

namespace Routing.Agent.Tests.Datastore.FileStore;

public sealed class FileResourceStoreTests : IDisposable
{
    private const string AdminFile = """
        # The cluster's resources; edited by hand.
        apiVersion: routing.dev/v1
        kind: BGPConfiguration
        metadata:
          name: default
        spec:
          asNumber: 64512   # private AS
        ---
        apiVersion: routing.dev/v1
        kind: RoutingNode
        metadata:
          name: node-1
        spec:
          ipv4Address: 10.0.0.1/24
        """;

    private readonly string directory = Directory.CreateTempSubdirectory("routing-filestore-").FullName;

    private string PathOf(string name) => System.IO.Path.Combine(directory, name);

    private static ResourceKey Block(string name) => ResourceKey.ClusterScoped(ResourceKinds.IpamBlock, name);

    private static string BlockJson(string name, int sequence) =>
        $$$"""{"apiVersion":"routing.dev/v1","kind":"IPAMBlock","metadata":{"name":"{{{name}}}"},"spec":{"cidr":"10.244.0.0/26","sequenceNumber":{{{sequence}}}}}""";

    private static ResourceKey Peer(string name) => ResourceKey.ClusterScoped(ResourceKinds.BgpPeer, name);

    private static string PeerJson(string name, string address) =>
        $$$"""{"apiVersion":"routing.dev/v1","kind":"BGPPeer","metadata":{"name":"{{{name}}}"},"spec":{"peerIP":"{{{address}}}","asNumber":65001}}""";

    [Fact]
    public async Task The_journal_compaction_keeps_the_write_that_set_it_off()
    {
        // The compaction used to rewrite the journal from the table before the write was applied to
        // it: a delete at that moment came back for every other reader (an update went missing).
        await using var writer = new FileResourceStore(PathOf("c.yaml"));
        var padding = new string('x', 2000);
        string Big(int i) => $$$"""{"apiVersion":"routing.dev/v1","kind":"IPAMBlock","metadata":{"name":"big"},"spec":{"sequenceNumber":{{{i}}},"note":"{{{padding}}}"}}""";

        // 600 appends and over 1 MiB of journal, nearly all of it dead; the 1000th append, which
        // compacts, is then a delete.
        var big = await writer.CreateAsync(Block("big"), Big(0));
        for (var i = 1; i < 600; i++)
        {
            big = await writer.UpdateAsync(Block("big"), Big(i), big.Revision);
        }

        for (var j = 0; j < 200; j++)
        {
            await writer.CreateAsync(Block($"s{j}"), BlockJson($"s{j}", j));
            Assert.True(await writer.DeleteAsync(Block($"s{j}")));
        }

        await using var reader = new FileResourceStore(PathOf("c.yaml"));
        Assert.Equal([big], (await reader.ListAsync(ResourceKinds.IpamBlock)).Items);
        Assert.True(new FileInfo(PathOf("c.yaml.state")).Length < 1 << 20, "the journal was never compacted");
    }

    [Fact]
    public async Task Create_get_update_delete_with_compare_and_swap()
    {
        await using var store = new FileResourceStore(PathOf("r.yaml"));

        var created = await store.CreateAsync(Block("b1"), BlockJson("b1", 1));
        Assert.Equal(created, await store.GetAsync(Block("b1")));
        var duplicate = await Assert.ThrowsAsync<ResourceStoreException>(() => store.CreateAsync(Block("b1"), BlockJson("b1", 1)));
        Assert.Equal(ResourceStoreError.AlreadyExists, duplicate.Error);

        var updated = await store.UpdateAsync(Block("b1"), BlockJson("b1", 2), created.Revision);
        Assert.NotEqual(created.Revision, updated.Revision);
        var stale = await Assert.ThrowsAsync<ResourceStoreException>(() => store.UpdateAsync(Block("b1"), BlockJson("b1", 3), created.Revision));
        Assert.Equal(ResourceStoreError.Conflict, stale.Error);
        Assert.Contains("IPAMBlock/b1", stale.Message, StringComparison.Ordinal);
        var missing = await Assert.ThrowsAsync<ResourceStoreException>(() => store.UpdateAsync(Block("b2"), BlockJson("b2", 1), "x"));
        Assert.Equal(ResourceStoreError.NotFound, missing.Error);

        var staleDelete = await Assert.ThrowsAsync<ResourceStoreException>(() => store.DeleteAsync(Block("b1"), created.Revision));
        Assert.Equal(ResourceStoreError.Conflict, staleDelete.Error);
        Assert.True(await store.DeleteAsync(Block("b1"), updated.Revision));
        Assert.False(await store.DeleteAsync(Block("b1")));
        Assert.Null(await store.GetAsync(Block("b1")));

        // Reopened (a new process): the journal gives the same state back.
        await store.CreateAsync(Block("b3"), BlockJson("b3", 7));
        await using var reopened = new FileResourceStore(PathOf("r.yaml"));
        var list = await reopened.ListAsync(ResourceKinds.IpamBlock);
        Assert.Equal(["b3"], list.Items.Select(i => i.Key.Name));
        Assert.Equal(7, JsonNode.Parse(list.Items[0].Json)!["spec"]!["sequenceNumber"]!.GetValue<int>());
    }

    [Fact]
    public async Task Writing_a_resource_of_the_admins_file_keeps_the_other_documents_as_written()
    {
        var path = PathOf("resources.yaml");
        await File.WriteAllTextAsync(path, AdminFile);
        await using var store = new FileResourceStore(path);

        var peer = await store.CreateAsync(Peer("tor"), PeerJson("tor", "10.0.0.254"));
        await store.UpdateAsync(Peer("tor"), PeerJson("tor", "10.0.0.253"), peer.Revision);

        var text = await File.ReadAllTextAsync(path);
        Assert.Contains("asNumber: 64512   # private AS", text, StringComparison.Ordinal);
        Assert.Contains("# The cluster's resources; edited by hand.", text, StringComparison.Ordinal);
        Assert.DoesNotContain("10.0.0.254", text, StringComparison.Ordinal);
        Assert.False(File.Exists(path + ".state"));

        // The agent's own parser reads the result.
        var parsed = ResourceFile.Parse(text, path);
        Assert.Equal("10.0.0.253", parsed.FindBgpPeer("tor")!.PeerIP!.Value.Address.ToString());
        Assert.Equal(64512u, parsed.GlobalBgpConfiguration.AsNumber);

        // The revision handed back is the one the file gives on a fresh read.
        await using var reopened = new FileResourceStore(path);
        Assert.Equal((await store.GetAsync(Peer("tor")))!.Revision, (await reopened.GetAsync(Peer("tor")))!.Revision);
        Assert.Equal(64512, JsonNode.Parse((await reopened.GetAsync(ResourceKey.ClusterScoped("BGPConfiguration", "default")))!.Json)!["spec"]!["asNumber"]!.GetValue<int>());

        Assert.True(await store.DeleteAsync(Peer("tor")));
        Assert.DoesNotContain("BGPPeer", await File.ReadAllTextAsync(path), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Two_stores_on_one_file_never_lose_an_update()
    {
        var path = PathOf("shared.yaml");
        await using var first = new FileResourceStore(path);
        await using var second = new FileResourceStore(path);
        await first.CreateAsync(Block("counter"), BlockJson("counter", 0));

        async Task IncrementAsync(IResourceStore store, int times)
        {
            for (var i = 0; i < times; i++)
            {
                while (true)
                {
                    var current = (await store.GetAsync(Block("counter")))!;
                    var next = JsonNode.Parse(current.Json)!["spec"]!["sequenceNumber"]!.GetValue<int>() + 1;
                    try
                    {
                        await store.UpdateAsync(Block("counter"), BlockJson("counter", next), current.Revision);
                        break;
                    }
                    catch (ResourceStoreException e) when (e.Error == ResourceStoreError.Conflict)
                    {
                    }
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, 6).Select(i => Task.Run(() => IncrementAsync(i % 2 == 0 ? first : second, 100))));

        foreach (var store in new[] { first, second })
        {
            var final = (await store.GetAsync(Block("counter")))!;
            Assert.Equal(600, JsonNode.Parse(final.Json)!["spec"]!["sequenceNumber"]!.GetValue<int>());
        }
    }

    [Fact]
    public async Task A_watch_sees_this_stores_writes_another_stores_writes_and_hand_edits_in_order()
    {
        var path = PathOf("watched.yaml");
        await File.WriteAllTextAsync(path, AdminFile);
        await using var store = new FileResourceStore(path, TimeSpan.FromMilliseconds(20));
        await using var other = new FileResourceStore(path);
        var list = await store.ListAsync(ResourceKinds.IpamBlock);
        var peers = await store.ListAsync(ResourceKinds.BgpPeer);
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var blocks = Collect(store.WatchAsync(ResourceKinds.IpamBlock, list.Revision, cancel.Token), 3);
        var peerEvents = Collect(store.WatchAsync(ResourceKinds.BgpPeer, peers.Revision, cancel.Token), 1);

        var b1 = await store.CreateAsync(Block("b1"), BlockJson("b1", 1));
        await other.UpdateAsync(Block("b1"), BlockJson("b1", 2), b1.Revision);
        await other.DeleteAsync(Block("b1"));
        await File.WriteAllTextAsync(path, AdminFile + "\n---\n" + """
            apiVersion: routing.dev/v1
            kind: BGPPeer
            metadata: {name: tor}
            spec: {peerIP: 10.0.0.254, asNumber: 65001}
            """);

        var seen = await blocks;
        Assert.Equal([ResourceEventType.Added, ResourceEventType.Modified, ResourceEventType.Deleted], seen.Select(e => e.Type));
        Assert.Equal(2, JsonNode.Parse(seen[1].Resource!.Json)!["spec"]!["sequenceNumber"]!.GetValue<int>());
        var added = Assert.Single(await peerEvents);
        Assert.Equal((ResourceEventType.Added, "tor"), (added.Type, added.Resource!.Key.Name));
    }

    [Fact]
    public async Task The_journal_is_compacted_and_readers_follow_the_new_generation()
    {
        var path = PathOf("compact.yaml");
        await using var writer = new FileResourceStore(path);
        await using var reader = new FileResourceStore(path);
        var current = await writer.CreateAsync(Block("hot"), BlockJson("hot", 0));
        for (var i = 1; i <= 12_000; i++)
        {
            current = await writer.UpdateAsync(Block("hot"), BlockJson("hot", i), current.Revision);
            if (i % 4000 == 0)
            {
                Assert.Equal(current, await reader.GetAsync(Block("hot")));
            }
        }

        Assert.True(new FileInfo(path + ".state").Length < 1 << 20, "the journal was compacted");
        Assert.Equal(current, await reader.GetAsync(Block("hot")));
        await using var fresh = new FileResourceStore(path);
        Assert.Equal(current, await fresh.GetAsync(Block("hot")));
    }

    [Fact]
    public async Task A_torn_last_line_is_not_applied_until_it_is_whole()
    {
        var path = PathOf("torn.yaml");
        await using (var store = new FileResourceStore(path))
        {
            await store.CreateAsync(Block("b1"), BlockJson("b1", 1));
        }

        await File.AppendAllTextAsync(path + ".state", """{"kind":"IPAMBlock","namespace":"","name":"b2","doc":{"kind":"IPAM""");
        await using var reader = new FileResourceStore(path);
        Assert.Equal(["b1"], (await reader.ListAsync(ResourceKinds.IpamBlock)).Items.Select(i => i.Key.Name));
    }

    [Fact]
    public async Task Bad_documents_are_refused_with_the_reason()
    {
        await using var store = new FileResourceStore(PathOf("bad.yaml"));

        var notJson = await Assert.ThrowsAsync<ArgumentException>(() => store.CreateAsync(Block("b1"), "{not json"));
        Assert.Contains("IPAMBlock/b1: not a JSON document", notJson.Message, StringComparison.Ordinal);
        var wrongName = await Assert.ThrowsAsync<ArgumentException>(() => store.CreateAsync(Block("b1"), BlockJson("b2", 1)));
        Assert.Contains("names IPAMBlock/b2, not IPAMBlock/b1", wrongName.Message, StringComparison.Ordinal);
        var expired = await Assert.ThrowsAsync<ResourceStoreException>(async () =>
        {
            await foreach (var e in store.WatchAsync(ResourceKinds.IpamBlock, "not-a-revision"))
            {
            }
        });
        Assert.Equal(ResourceStoreError.Expired, expired.Error);

        await File.WriteAllTextAsync(PathOf("bad.yaml"), "kind: [unclosed\n");
        var broken = await Assert.ThrowsAsync<IOException>(() => store.CreateAsync(Peer("tor"), PeerJson("tor", "10.0.0.1")));
        Assert.Contains("fix the file first", broken.Message, StringComparison.Ordinal);
    }

    private static async Task<List<ResourceEvent>> Collect(IAsyncEnumerable<ResourceEvent> events, int count)
    {
        List<ResourceEvent> seen = [];
        await foreach (var e in events)
        {
            seen.Add(e);
            if (seen.Count == count)
            {
                break;
            }
        }

        return seen;
    }

    public void Dispose() => Directory.Delete(directory, recursive: true);
}
