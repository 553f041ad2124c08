using Routing.Agent.Datastore.FileStore;
using Routing.Agent.Ipam;
using Routing.Ipam.Allocation;

namespace Routing.Agent.Tests.Ipam;

/// <summary>IPAM on the file store: several stores on one path, each with its own view and journal reader.</summary>
public sealed class FileIpamTests : IAsyncLifetime
{
    private readonly string directory = Directory.CreateTempSubdirectory("routing-ipam-file-").FullName;
    private readonly List<FileResourceStore> stores = [];

    private string ResourceFile => Path.Combine(directory, "cluster.yaml");

    public Task InitializeAsync() => Task.CompletedTask;

    // xUnit 2 calls IAsyncLifetime's, not IAsyncDisposable's: the temp directory would stay behind.
    public async Task DisposeAsync()
    {
        foreach (var node in watched)
        {
            await node.DisposeAsync();
        }

        foreach (var store in stores)
        {
            await store.DisposeAsync();
        }

        Directory.Delete(directory, recursive: true);
    }

    private readonly List<WatchedIpamStore> watched = [];

    private ResourceIpamStore Open()
    {
        var store = new FileResourceStore(ResourceFile);
        stores.Add(store);
        return new ResourceIpamStore(store);
    }

    /// <summary>A node's store as the agent opens it: pools, reservations and affinities from memory, kept fresh by the watch.</summary>
    private WatchedIpamStore Node()
    {
        var store = new FileResourceStore(ResourceFile);
        stores.Add(store);
        var node = new WatchedIpamStore(store);
        watched.Add(node);
        return node;
    }

    [Fact]
    public async Task Three_nodes_with_their_own_stores_on_one_file_allocate_500_addresses_each_at_once_and_release_them_all()
    {
        var observer = Open();
        await IpamRun.AddPoolAsync(observer, "pods", "10.150.0.0/20");
        string[] names = ["n1", "n2", "n3"];
        var run = new IpamRun(observer, [.. names.Select((node, i) => (node, IpamRun.Allocator(Node(), seed: i + 1)))]);

        var results = await run.AllocateAsync(500);

        var allocations = results.Select(r => (r.Request, Assert.Single(r.Result.IPv4))).ToList();
        await run.AssertConsistentAsync(allocations);

        // A store opened afresh reads the same state from the journal.
        await new IpamRun(Open(), []).AssertCleanAsync(allocations.Select(a => a.Request.HandleId).ToHashSet());
        await run.ReleaseAllAsync(results.Select(r => r.Request), [.. allocations.Select(a => a.Item2.Address)]);
    }

    [Fact]
    public Task A_pool_deleted_by_another_process_while_a_node_has_it_cached_is_no_longer_allocated_from() =>
        WatchedStores.DeletedPoolIsNoLongerAllocatedFromAsync(Open(), Node(), "10.151.0.0/24");
}
