using Routing.Agent.Datastore.Etcd;
using Routing.Agent.Ipam;
using Routing.Agent.Tests.Datastore.Etcd;
using Routing.Ipam.Allocation;
using Routing.Ipam.Reservations;

namespace Routing.Agent.Tests.Ipam;

/// <summary>
/// A node's cached view of pools, reservations and affinities on a real etcd: what another client
/// changes reaches the node through the watch, and the node then allocates by it.
/// </summary>
public sealed class WatchedIpamStoreTests(EtcdFixture etcd) : IClassFixture<EtcdFixture>, IAsyncLifetime
{
    private readonly EtcdIpamClients stores = new(etcd);

    public Task InitializeAsync() => EtcdIpamClients.WipeAsync(etcd);

    public async Task DisposeAsync() => await stores.DisposeAsync();

    private ResourceIpamStore Client() => stores.Client();

    private WatchedIpamStore Node() => stores.Node();

    [Fact]
    public Task A_pool_deleted_by_another_client_while_cached_is_no_longer_allocated_from() =>
        WatchedStores.DeletedPoolIsNoLongerAllocatedFromAsync(Client(), Node(), "10.140.0.0/24");

    [Fact]
    public async Task A_pool_disabled_while_cached_refuses_allocations_until_enabled_again()
    {
        var admin = Client();
        await IpamRun.AddPoolAsync(admin, "toggled", "10.141.0.0/24", blockSize: 26);
        var node = Node();
        var allocator = IpamRun.Allocator(node, seed: 1);
        await allocator.AutoAssignAsync(IpamRun.Request("before", "n1"));
        await WatchedStores.UntilAsync(() => node.InSync, "the node's watches to list");

        var pool = (await admin.Pools.GetAsync("toggled"))!;
        var disabled = await admin.Pools.UpdateAsync(pool.Value with { Disabled = true }, pool.Revision);
        await WatchedStores.UntilAsync(async () => (await node.Pools.ListAsync()).Single().Value.Disabled, "the disabled pool to reach the node");

        var error = await Assert.ThrowsAsync<IpamException>(() => allocator.AutoAssignAsync(IpamRun.Request("while-disabled", "n1")));
        Assert.Equal(IpamErrorKind.NoPool, error.Kind);

        await admin.Pools.UpdateAsync(pool.Value with { Disabled = false }, disabled.Revision);
        await WatchedStores.UntilAsync(async () => !(await node.Pools.ListAsync()).Single().Value.Disabled, "the enabled pool to reach the node");
        Assert.Single((await allocator.AutoAssignAsync(IpamRun.Request("enabled", "n1"))).IPv4);
    }

    [Fact]
    public async Task A_reservation_added_while_cached_keeps_its_addresses_out()
    {
        var admin = Client();
        await IpamRun.AddPoolAsync(admin, "reserved", "10.142.0.0/28", blockSize: 28);
        var node = Node();
        var allocator = IpamRun.Allocator(node, seed: 1);
        var first = await allocator.AutoAssignAsync(IpamRun.Request("first", "n1"));
        await WatchedStores.UntilAsync(() => node.InSync, "the node's watches to list");

        await admin.Reservations.CreateAsync(IPReservation.Parse("upper-half", ["10.142.0.8/29"]));
        await WatchedStores.UntilAsync(async () => (await node.Reservations.ListAsync()).Count == 1, "the reservation to reach the node");

        var rest = await allocator.AutoAssignAsync(IpamRun.Request("rest", "n1", ipv4: 7));
        var error = await Assert.ThrowsAsync<IpamException>(() => allocator.AutoAssignAsync(IpamRun.Request("one-more", "n1")));

        Assert.Equal(IpamErrorKind.PoolExhausted, error.Kind);
        var addresses = first.IPv4.Concat(rest.IPv4).Select(a => a.Address.GetAddressBytes()[3]).ToList();
        Assert.Equal(8, addresses.Distinct().Count());
        Assert.All(addresses, last => Assert.InRange(last, 0, 7));
    }

    [Fact]
    public async Task A_block_released_by_another_client_is_no_longer_the_nodes_own_and_another_nodes_claim_is_respected()
    {
        var admin = Client();
        await IpamRun.AddPoolAsync(admin, "one-block", "10.143.0.0/26", blockSize: 26);
        var node = Node();
        var allocator = IpamRun.Allocator(node, seed: 1);
        await allocator.AutoAssignAsync(IpamRun.Request("a1", "n1"));
        await WatchedStores.UntilAsync(async () => (await node.Affinities.ListAsync()).Count == 1 && node.InSync, "the node's affinity in its view");
        await allocator.ReleaseByHandleAsync("a1");

        // The CLI (another client) gives n1's empty block back; then n2 claims it.
        Assert.Single(await IpamRun.Allocator(Client(), seed: 9).ReleaseEmptyBlocksAsync("n1"));
        await WatchedStores.UntilAsync(async () => (await node.Affinities.ListAsync()).Count == 0, "the released affinity to reach the node");
        var claimed = Assert.Single((await IpamRun.Allocator(Client(), seed: 2).AutoAssignAsync(IpamRun.Request("b1", "n2"))).IPv4);

        var borrowed = Assert.Single((await allocator.AutoAssignAsync(IpamRun.Request("a2", "n1"))).IPv4);

        Assert.Equal(claimed.Block, borrowed.Block);
        Assert.NotEqual(claimed.Address, borrowed.Address);
        var block = (await admin.Blocks.ListAsync()).Single().Value;
        Assert.Equal("n2", block.AffineNode);
        Assert.Equal("a2", block.AllocationOf(borrowed.Address)?.HandleId);
        Assert.DoesNotContain(await admin.Affinities.ListAsync(), a => a.Value.Node == "n1");
        await new IpamRun(admin, []).AssertCleanAsync(new HashSet<string> { "a2", "b1" });
    }
}

/// <summary>Waiting for a watch to deliver: not a timing assertion, a bounded wait for an event.</summary>
