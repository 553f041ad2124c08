using Routing.Agent.Datastore.Etcd;
using Routing.Agent.Ipam;
using Routing.Agent.Tests.Datastore.Etcd;
using Routing.Ipam.Allocation;
using Routing.Ipam.GarbageCollection;
using Routing.Ipam.Store;
using Routing.TestKit.Time;

namespace Routing.Agent.Tests.Ipam;

/// <summary>IPAM on a real etcd: each node an allocator with its own etcd client, as on a cluster.</summary>
public sealed class EtcdIpamTests(EtcdFixture etcd) : IClassFixture<EtcdFixture>, IAsyncLifetime
{
    private readonly EtcdIpamClients stores = new(etcd);

    public Task InitializeAsync() => EtcdIpamClients.WipeAsync(etcd);

    public async Task DisposeAsync() => await stores.DisposeAsync();

    private ResourceIpamStore Client() => stores.Client();

    private WatchedIpamStore Node() => stores.Node();

    [Fact]
    public async Task Three_nodes_with_their_own_clients_allocate_500_addresses_each_at_once_and_release_them_all()
    {
        var observer = Client();
        await IpamRun.AddPoolAsync(observer, "pods", "10.128.0.0/20");
        string[] names = ["n1", "n2", "n3"];
        var run = new IpamRun(observer, [.. names.Select((node, i) => (node, IpamRun.Allocator(Node(), seed: i + 1)))]);

        var results = await run.AllocateAsync(500);

        var allocations = results.Select(r => (r.Request, Assert.Single(r.Result.IPv4))).ToList();
        await run.AssertConsistentAsync(allocations);
        await run.ReleaseAllAsync(results.Select(r => r.Request), [.. allocations.Select(a => a.Item2.Address)]);
    }

    [Fact]
    public async Task An_exhausted_pool_is_an_error_naming_the_pool_and_the_node()
    {
        var store = Client();
        await IpamRun.AddPoolAsync(store, "tiny", "10.130.0.0/28", blockSize: 28);
        var allocator = IpamRun.Allocator(store, seed: 1);
        await allocator.AutoAssignAsync(IpamRun.Request("all", "n1", ipv4: 16));

        var error = await Assert.ThrowsAsync<IpamException>(() => allocator.AutoAssignAsync(IpamRun.Request("one-more", "n1")));

        Assert.Equal(IpamErrorKind.PoolExhausted, error.Kind);
        Assert.Contains("tiny (10.130.0.0/28)", error.Message, StringComparison.Ordinal);
        Assert.Contains("node n1", error.Message, StringComparison.Ordinal);
        Assert.Null(await store.Handles.GetAsync("one-more"));
        await new IpamRun(store, []).AssertCleanAsync();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_node_without_a_free_block_borrows_from_another_nodes_block_unless_affinity_is_strict(bool strict)
    {
        var store = Client();
        await IpamRun.AddPoolAsync(store, "one-block", "10.131.0.0/26", blockSize: 26);
        var first = IpamRun.Allocator(Node(), seed: 1, strictAffinity: strict);
        var second = IpamRun.Allocator(Node(), seed: 2, strictAffinity: strict);
        var owned = await first.AutoAssignAsync(IpamRun.Request("pod-a", "n1"));

        if (strict)
        {
            var error = await Assert.ThrowsAsync<IpamException>(() => second.AutoAssignAsync(IpamRun.Request("pod-b", "n2")));
            Assert.Equal(IpamErrorKind.PoolExhausted, error.Kind);
            Assert.Contains("strictAffinity", error.Message, StringComparison.Ordinal);
            Assert.Contains("node n2", error.Message, StringComparison.Ordinal);
            return;
        }

        var borrowed = Assert.Single((await second.AutoAssignAsync(IpamRun.Request("pod-b", "n2"))).IPv4);

        Assert.Equal(owned.IPv4[0].Block, borrowed.Block);
        Assert.NotEqual(owned.IPv4[0].Address, borrowed.Address);
        var block = (await store.Blocks.ListAsync()).Single().Value;
        Assert.Equal("n1", block.AffineNode);
        Assert.Equal("pod-b", block.AllocationOf(borrowed.Address)?.HandleId);
        Assert.DoesNotContain(await store.Affinities.ListAsync(), a => a.Value.Node == "n2");
        await new IpamRun(store, []).AssertCleanAsync(new HashSet<string> { "pod-a", "pod-b" });
    }

    [Fact]
    public async Task An_IPv6_pool_hands_out_addresses_from_122_blocks()
    {
        var store = Client();
        await IpamRun.AddPoolAsync(store, "v6", "fd00:10:244::/116", blockSize: 122);
        string[] names = ["n1", "n2"];
        var run = new IpamRun(store, [.. names.Select((node, i) => (node, IpamRun.Allocator(Client(), seed: i + 1)))]);
        var requests = names.SelectMany(n => Enumerable.Range(0, 70).Select(i => IpamRun.Request($"v6-{n}-{i}", n, ipv4: 0, ipv6: 1))).ToList();
        var allocators = names.Zip(run.Allocators).ToDictionary(p => p.First, p => p.Second, StringComparer.Ordinal);

        var results = await Task.WhenAll(requests.Select(r => Task.Run(() => allocators[r.Node].AutoAssignAsync(r))));

        var allocations = requests.Zip(results, (r, a) => (r, Assert.Single(a.IPv6))).ToList();
        Assert.All(allocations, a => Assert.Equal(122, a.Item2.Block.PrefixLength));
        Assert.All(allocations, a => Assert.Equal(System.Net.Sockets.AddressFamily.InterNetworkV6, a.Item2.Address.AddressFamily));

        // 70 addresses do not fit one /122 (64): each node claimed a second block.
        Assert.Equal(4, (await store.Affinities.ListAsync()).Count);
        await run.AssertConsistentAsync(allocations);
        await run.ReleaseAllAsync(requests, [.. allocations.Select(a => a.Item2.Address)]);
    }

    [Fact]
    public async Task A_dual_stack_request_gets_one_address_of_each_family_or_none()
    {
        var store = Client();
        await IpamRun.AddPoolAsync(store, "v4", "10.132.0.0/26", blockSize: 26);
        await IpamRun.AddPoolAsync(store, "v6", "fd00:10:245::/122", blockSize: 122);
        var allocator = IpamRun.Allocator(Client(), seed: 1);

        var results = await Task.WhenAll(Enumerable.Range(0, 64).Select(i => Task.Run(() => allocator.AutoAssignAsync(IpamRun.Request($"ds-{i}", "n1", ipv4: 1, ipv6: 1)))));

        Assert.All(results, r => Assert.Single(r.IPv4));
        Assert.All(results, r => Assert.Single(r.IPv6));
        var addresses = results.SelectMany(r => r.All).Select(a => a.Address).ToList();
        Assert.Equal(128, addresses.Distinct().Count());
        Assert.All((await store.Handles.ListAsync()).Select(h => h.Value), h => Assert.Equal(2, h.Total));

        // Both pools full: a 65th pod gets neither family, and the IPv4 it was given first is taken back.
        await IpamRun.AddPoolAsync(store, "v4-more", "10.133.0.0/26", blockSize: 26);
        var error = await Assert.ThrowsAsync<IpamException>(() => allocator.AutoAssignAsync(IpamRun.Request("ds-extra", "n1", ipv4: 1, ipv6: 1)));
        Assert.Equal(IpamErrorKind.PoolExhausted, error.Kind);
        Assert.Contains("IPv6", error.Message, StringComparison.Ordinal);
        Assert.Null(await store.Handles.GetAsync("ds-extra"));
        Assert.True((await store.Blocks.ListAsync()).Where(b => b.Value.Cidr.ToString() == "10.133.0.0/26").All(b => b.Value.IsEmpty));
        await new IpamRun(store, []).AssertCleanAsync(Enumerable.Range(0, 64).Select(i => $"ds-{i}").ToHashSet());
    }

    [Fact]
    public async Task The_collector_releases_a_leaked_address_after_the_grace_period_and_never_one_in_use()
    {
        var store = Client();
        await IpamRun.AddPoolAsync(store, "gc", "10.134.0.0/26", blockSize: 26);
        var allocator = IpamRun.Allocator(store, seed: 1);
        var leaked = (await allocator.AutoAssignAsync(IpamRun.Request("gone-pod", "n1"))).IPv4[0];
        var live = (await allocator.AutoAssignAsync(IpamRun.Request("live-pod", "n1"))).IPv4[0];
        var clock = new ManualTimeProvider();
        var collector = new IpamGarbageCollector(store, allocator, clock, TimeSpan.FromMinutes(15));
        var liveHandles = new HashSet<string> { "live-pod" };

        var first = await collector.CollectAsync(liveHandles);
        clock.Advance(TimeSpan.FromMinutes(14));
        var early = await collector.CollectAsync(liveHandles);

        Assert.Equal(leaked.Address, Assert.Single(first.Candidates).Address);
        Assert.Empty(first.Released);
        Assert.Empty(early.Released);

        // A pod created meanwhile, its addresses allocated before the caller lists it as live: not touched.
        var young = (await allocator.AutoAssignAsync(IpamRun.Request("young-pod", "n1"))).IPv4[0];
        clock.Advance(TimeSpan.FromMinutes(2));
        var due = await collector.CollectAsync(liveHandles);

        Assert.Equal(leaked.Address, Assert.Single(due.Released).Address);
        Assert.Equal(young.Address, Assert.Single(due.Candidates).Address);
        var block = (await store.Blocks.ListAsync()).Single().Value;
        Assert.Null(block.AllocationOf(leaked.Address));
        Assert.Equal("live-pod", block.AllocationOf(live.Address)?.HandleId);
        Assert.Equal("young-pod", block.AllocationOf(young.Address)?.HandleId);
        Assert.Null(await store.Handles.GetAsync("gone-pod"));
        await new IpamRun(store, []).AssertCleanAsync(new HashSet<string> { "live-pod", "young-pod" });
    }
}
