using System.Net.Sockets;
using Routing.Ipam.Allocation;
using Routing.Ipam.Blocks;
using Routing.Ipam.Checking;
using Routing.Ipam.Pools;
using Routing.Ipam.Reservations;
using static Routing.Ipam.Tests.IpamTestBed;

namespace Routing.Ipam.Tests.Allocation;

public class AutoAssignTests
{
    private readonly IpamTestBed bed = new();

    [Fact]
    public async Task The_first_allocation_claims_a_block_for_the_node()
    {
        await bed.AddPoolAsync("10.244.0.0/16");
        var result = await bed.Allocator().AutoAssignAsync(Request("pod-a", "n1"));

        var allocation = Assert.Single(result.IPv4);
        Assert.Empty(result.IPv6);
        var block = Assert.Single(await bed.Store.Blocks.ListAsync()).Value;
        Assert.Equal(allocation.Block, block.Cidr);
        Assert.Equal(26, block.Cidr.PrefixLength);
        Assert.True(block.Contains(allocation.Address));
        Assert.Equal("n1", block.AffineNode);
        var affinity = Assert.Single(await bed.Store.Affinities.ListAsync()).Value;
        Assert.Equal(new BlockAffinity("n1", block.Cidr, AffinityState.Confirmed), affinity);

        var handle = Assert.Single(await bed.Store.Handles.ListAsync()).Value;
        Assert.Equal("pod-a", handle.HandleId);
        Assert.Equal(1, handle.Blocks[block.Cidr.ToString()]);
        var recorded = block.AllocationOf(allocation.Address)!.Value;
        Assert.Equal("pod-a", recorded.HandleId);
        Assert.Equal("n1", recorded.Attribute.Secondary["node"]);
        Assert.Equal("default", recorded.Attribute.Secondary["namespace"]);
        Assert.Equal(allocation.SequenceNumber, recorded.SequenceNumber);
        Assert.True((await new IpamChecker(bed.Store).CheckAsync()).IsClean);
    }

    [Fact]
    public async Task A_node_fills_its_own_block_before_claiming_another()
    {
        await bed.AddPoolAsync("10.0.0.0/24", 28);
        var allocator = bed.Allocator();
        var first = await allocator.AutoAssignAsync(Request("a", "n1", ipv4: 16));
        Assert.Single(first.IPv4.Select(a => a.Block).Distinct());
        await allocator.AutoAssignAsync(Request("x", "n2", ipv4: 1));

        var next = await allocator.AutoAssignAsync(Request("b", "n1", ipv4: 3));
        var blocks = (await bed.Store.Blocks.ListAsync()).Select(b => b.Value).ToList();
        Assert.Equal(3, blocks.Count);
        Assert.Equal(2, blocks.Count(b => b.AffineNode == "n1"));
        Assert.All(next.IPv4, a => Assert.Equal("n1", blocks.Single(b => b.Cidr == a.Block).AffineNode));
        Assert.Single(next.IPv4.Select(a => a.Block).Distinct());
        Assert.DoesNotContain(first.IPv4[0].Block, next.IPv4.Select(a => a.Block));

        // Freed space in the first block is used before the second block fills.
        await allocator.ReleaseByHandleAsync("a");
        var third = await allocator.AutoAssignAsync(Request("c", "n1", ipv4: 1));
        Assert.Contains(third.IPv4[0].Block, blocks.Where(b => b.AffineNode == "n1").Select(b => b.Cidr));
    }

    [Fact]
    public async Task Space_another_allocator_frees_in_a_block_this_one_found_full_is_used_before_a_new_claim()
    {
        await bed.AddPoolAsync("10.0.0.0/24", 29);
        var allocator = bed.Allocator();
        var filled = new List<string>();
        for (var i = 0; i < 24; i++)
        {
            filled.Add((await allocator.AutoAssignAsync(Request($"p{i}", "n1"))).IPv4[0].Block.ToString());
        }

        Assert.Equal(3, filled.Distinct().Count());

        // Another process on the node (the CNI's DEL through another agent instance) frees an
        // address in the first block, which this allocator last saw full.
        await bed.Allocator(seed: 2).ReleaseByHandleAsync("p0");
        var next = await allocator.AutoAssignAsync(Request("again", "n1"));

        Assert.Equal(filled[0], next.IPv4[0].Block.ToString());
        Assert.Equal(3, (await bed.Store.Blocks.ListAsync()).Count);
        Assert.True((await new IpamChecker(bed.Store).CheckAsync()).IsClean);
    }

    [Fact]
    public async Task A_node_borrows_from_other_nodes_blocks_when_no_block_is_free()
    {
        await bed.AddPoolAsync("10.0.0.0/27", 28);
        var allocator = bed.Allocator();
        await allocator.AutoAssignAsync(Request("a", "n1", ipv4: 1));
        await allocator.AutoAssignAsync(Request("b", "n2", ipv4: 1));

        var borrowed = await allocator.AutoAssignAsync(Request("c", "n3", ipv4: 20));
        Assert.Equal(20, borrowed.IPv4.Count);
        Assert.Equal(2, borrowed.IPv4.Select(a => a.Block).Distinct().Count());
        Assert.DoesNotContain(await bed.Store.Affinities.ListAsync(), a => a.Value.Node == "n3");
        Assert.True((await new IpamChecker(bed.Store).CheckAsync()).IsClean);

        var exhausted = await Assert.ThrowsAsync<IpamException>(() => allocator.AutoAssignAsync(Request("d", "n3", ipv4: 11)));
        Assert.Equal(IpamErrorKind.PoolExhausted, exhausted.Kind);
        Assert.Contains("pool exhausted for node n3: found 10 of 11 IPv4 addresses", exhausted.Message, StringComparison.Ordinal);
        Assert.Null(await bed.Store.Handles.GetAsync("d"));
        Assert.Equal(22, (await bed.Store.Blocks.ListAsync()).Sum(b => b.Value.AllocatedCount));
    }

    [Fact]
    public async Task Strict_affinity_forbids_borrowing()
    {
        await bed.AddPoolAsync("10.0.0.0/27", 28);
        var allocator = bed.Allocator(new IpamOptions { StrictAffinity = true, Retry = FastRetries });
        await allocator.AutoAssignAsync(Request("a", "n1"));
        await allocator.AutoAssignAsync(Request("b", "n2"));

        var error = await Assert.ThrowsAsync<IpamException>(() => allocator.AutoAssignAsync(Request("c", "n3")));
        Assert.Equal(IpamErrorKind.PoolExhausted, error.Kind);
        Assert.StartsWith("pool exhausted for node n3", error.Message, StringComparison.Ordinal);
        Assert.Contains("strictAffinity", error.Message, StringComparison.Ordinal);
        Assert.All((await bed.Store.Blocks.ListAsync()).Select(b => b.Value), b => Assert.True(b.StrictAffinity));

        // Its own block still serves the node until full.
        Assert.Equal(15, (await allocator.AutoAssignAsync(Request("a2", "n1", ipv4: 15))).IPv4.Count);
    }

    [Fact]
    public async Task Max_blocks_per_host_makes_the_node_borrow()
    {
        await bed.AddPoolAsync("10.0.0.0/26", 28);
        var allocator = bed.Allocator(new IpamOptions { MaxBlocksPerHost = 1, Retry = FastRetries });
        await allocator.AutoAssignAsync(Request("b", "n2", ipv4: 1));
        var got = await allocator.AutoAssignAsync(Request("a", "n1", ipv4: 17));
        Assert.Single(await bed.Store.Affinities.ListAsync(), a => a.Value.Node == "n1");
        Assert.Equal(2, got.IPv4.Select(a => a.Block).Distinct().Count());
    }

    [Fact]
    public async Task A_full_pool_is_a_clear_error_and_leaves_nothing_allocated()
    {
        await bed.AddPoolAsync("10.0.0.0/28", 28);
        var allocator = bed.Allocator();
        var error = await Assert.ThrowsAsync<IpamException>(() => allocator.AutoAssignAsync(Request("big", "n1", ipv4: 17)));
        Assert.Equal(IpamErrorKind.PoolExhausted, error.Kind);
        Assert.Contains("pool-10-0-0-0-28 (10.0.0.0/28)", error.Message, StringComparison.Ordinal);
        Assert.True((await bed.Store.Blocks.ListAsync()).Single().Value.IsEmpty);
        Assert.Empty(await bed.Store.Handles.ListAsync());
    }

    [Fact]
    public async Task No_pool_is_a_clear_error()
    {
        var error = await Assert.ThrowsAsync<IpamException>(() => bed.Allocator().AutoAssignAsync(Request("a", "n1", ipv4: 0, ipv6: 1)));
        Assert.Equal(IpamErrorKind.NoPool, error.Kind);
        Assert.Equal("no enabled IPv6 IPPool selects node n1.", error.Message);
    }

    [Fact]
    public async Task IPv6_pools_hand_out_addresses_in_122_blocks()
    {
        await bed.AddPoolAsync("fd00:10:244::/64");
        var allocator = bed.Allocator();
        var result = await allocator.AutoAssignAsync(Request("a", "n1", ipv4: 0, ipv6: 70));
        Assert.Equal(70, result.IPv6.Count);
        Assert.All(result.IPv6, a => Assert.Equal(AddressFamily.InterNetworkV6, a.Address.AddressFamily));
        Assert.All(result.IPv6, a => Assert.Equal(122, a.Block.PrefixLength));
        Assert.Equal(70, result.IPv6.Select(a => a.Address).Distinct().Count());
        Assert.Equal(2, (await bed.Store.Blocks.ListAsync()).Count);
        Assert.Equal(70, (await allocator.ReleaseByHandleAsync("a")).Count);
        Assert.True((await new IpamChecker(bed.Store).CheckAsync()).IsClean);
    }

    [Fact]
    public async Task Dual_stack_is_all_or_nothing()
    {
        await bed.AddPoolAsync("10.0.0.0/24");
        await bed.AddPoolAsync("fd00::/120", 122);
        var allocator = bed.Allocator();
        var both = await allocator.AutoAssignAsync(Request("a", "n1", ipv4: 1, ipv6: 1));
        Assert.Single(both.IPv4);
        Assert.Single(both.IPv6);

        var error = await Assert.ThrowsAsync<IpamException>(() => allocator.AutoAssignAsync(Request("b", "n1", ipv4: 2, ipv6: 300)));
        Assert.Equal(IpamErrorKind.PoolExhausted, error.Kind);
        Assert.Null(await bed.Store.Handles.GetAsync("b"));
        Assert.Equal(2, (await bed.Store.Blocks.ListAsync()).Sum(b => b.Value.AllocatedCount));
    }

    [Fact]
    public async Task Reserved_addresses_are_never_handed_out()
    {
        await bed.AddPoolAsync("10.0.0.0/28", 28);
        await bed.Store.Reservations.CreateAsync(IPReservation.Parse("gateway", ["10.0.0.0/30", "10.0.0.15"]));
        var result = await bed.Allocator().AutoAssignAsync(Request("a", "n1", ipv4: 11));
        Assert.Equal(Enumerable.Range(4, 11).Select(i => $"10.0.0.{i}"), result.IPv4.Select(a => a.Address.ToString()));
        var error = await Assert.ThrowsAsync<IpamException>(() => bed.Allocator().AutoAssignAsync(Request("b", "n1")));
        Assert.Equal(IpamErrorKind.PoolExhausted, error.Kind);
    }

    [Fact]
    public async Task Node_selectors_are_evaluated_by_the_caller()
    {
        await bed.AddPoolAsync("10.1.0.0/16", name: "rack1", change: p => p with { NodeSelector = "rack == '1'" });
        await bed.AddPoolAsync("10.2.0.0/16", name: "rack2", change: p => p with { NodeSelector = "rack == '2'" });
        var selectors = new DelegateNodeSelectorEvaluator((selector, node) => selector == $"rack == '{node[^1]}'");
        var allocator = bed.Allocator(selectors: selectors);
        Assert.Equal("rack1", (await allocator.AutoAssignAsync(Request("a", "node1"))).IPv4[0].Pool);
        Assert.Equal("rack2", (await allocator.AutoAssignAsync(Request("b", "node2"))).IPv4[0].Pool);
        var none = await Assert.ThrowsAsync<IpamException>(() => allocator.AutoAssignAsync(Request("c", "node3")));
        Assert.Equal(IpamErrorKind.NoPool, none.Kind);
        var wrong = await Assert.ThrowsAsync<IpamException>(() => allocator.AutoAssignAsync(Request("d", "node1", pools: ["rack2"])));
        Assert.Contains("IPPool rack2 (10.2.0.0/16) does not select node node1", wrong.Message, StringComparison.Ordinal);

        // Without an evaluator, only all() can be evaluated.
        await Assert.ThrowsAsync<NotSupportedException>(() => bed.Allocator().AutoAssignAsync(Request("e", "node1")));
    }

    [Fact]
    public async Task Disabled_pools_and_requested_pools()
    {
        await bed.AddPoolAsync("10.1.0.0/16", name: "old", change: p => p with { Disabled = true });
        await bed.AddPoolAsync("10.2.0.0/16", name: "new");
        await bed.AddPoolAsync("10.3.0.0/16", name: "special");
        var allocator = bed.Allocator();
        for (var i = 0; i < 5; i++)
        {
            Assert.NotEqual("old", (await allocator.AutoAssignAsync(Request($"a{i}", "n1"))).IPv4[0].Pool);
        }

        Assert.Equal("special", (await allocator.AutoAssignAsync(Request("b", "n1", pools: ["10.3.0.0/16"]))).IPv4[0].Pool);
        var disabled = await Assert.ThrowsAsync<IpamException>(() => allocator.AutoAssignAsync(Request("c", "n1", pools: ["old"])));
        Assert.Contains("IPPool old (10.1.0.0/16) is disabled", disabled.Message, StringComparison.Ordinal);
        var unknown = await Assert.ThrowsAsync<IpamException>(() => allocator.AutoAssignAsync(Request("d", "n1", pools: ["nope"])));
        Assert.Equal(IpamErrorKind.NoPool, unknown.Kind);
    }

    [Fact]
    public async Task Bad_requests_are_refused()
    {
        var allocator = bed.Allocator();
        Assert.Equal(IpamErrorKind.InvalidRequest, (await Assert.ThrowsAsync<IpamException>(() => allocator.AutoAssignAsync(Request("", "n1")))).Kind);
        Assert.Equal(IpamErrorKind.InvalidRequest, (await Assert.ThrowsAsync<IpamException>(() => allocator.AutoAssignAsync(Request("a", " ")))).Kind);
        Assert.Equal(IpamErrorKind.InvalidRequest, (await Assert.ThrowsAsync<IpamException>(() => allocator.AutoAssignAsync(Request("a", "n1", ipv4: -1)))).Kind);
    }
}
