using Routing.Ipam.Allocation;
using Routing.Ipam.Checking;
using static Routing.Ipam.Tests.IpamTestBed;

namespace Routing.Ipam.Tests.Allocation;

public class ReleaseTests
{
    private readonly IpamTestBed bed = new();

    [Fact]
    public async Task Release_by_handle_frees_everything_and_twice_is_harmless()
    {
        await bed.AddPoolAsync("10.0.0.0/16");
        await bed.AddPoolAsync("fd00::/64");
        var allocator = bed.Allocator();
        var got = await allocator.AutoAssignAsync(Request("pod-a", "n1", ipv4: 2, ipv6: 1));
        await allocator.AutoAssignAsync(Request("pod-b", "n1"));

        var freed = await allocator.ReleaseByHandleAsync("pod-a");
        Assert.Equal(got.All.Select(a => a.Address.ToString()).Order(), freed.Select(a => a.Address.ToString()).Order());
        Assert.Null(await bed.Store.Handles.GetAsync("pod-a"));
        Assert.Empty(await allocator.ReleaseByHandleAsync("pod-a"));
        Assert.Empty(await allocator.ReleaseByHandleAsync("never-existed"));
        Assert.Single(await allocator.GetByHandleAsync("pod-b"));
        Assert.True((await new IpamChecker(bed.Store).CheckAsync()).IsClean);
    }

    [Fact]
    public async Task A_handle_this_allocator_created_but_another_released_and_took_again_is_released_where_it_is_now()
    {
        await bed.AddPoolAsync("10.0.0.0/16");
        var first = bed.Allocator();
        var other = bed.Allocator(seed: 2);
        var old = await first.AutoAssignAsync(Request("pod-a", "n1"));
        await first.AutoAssignAsync(Request("pod-b", "n1"));

        // The other allocator (another agent, on another node) releases the handle and reuses it.
        await other.ReleaseByHandleAsync("pod-a");
        var now = await other.AutoAssignAsync(Request("pod-a", "n2", ipv4: 2));
        Assert.NotEqual(old.IPv4[0].Block, now.IPv4[0].Block);

        var freed = await first.ReleaseByHandleAsync("pod-a");
        Assert.Equal(now.IPv4.Select(a => a.Address.ToString()).Order(), freed.Select(a => a.Address.ToString()).Order());
        Assert.Null(await bed.Store.Handles.GetAsync("pod-a"));
        Assert.Single(await first.GetByHandleAsync("pod-b"));
        Assert.True((await new IpamChecker(bed.Store).CheckAsync()).IsClean);
    }

    [Fact]
    public async Task Release_by_address_counts_the_handle_down()
    {
        await bed.AddPoolAsync("10.0.0.0/16");
        var allocator = bed.Allocator();
        var got = await allocator.AutoAssignAsync(Request("pod-a", "n1", ipv4: 3));
        var freed = await allocator.ReleaseAsync([got.IPv4[0].Address, Ip("10.0.0.200"), Ip("192.168.1.1")]);
        Assert.Equal(got.IPv4[0].Address, Assert.Single(freed).Address);
        Assert.Equal(2, (await bed.Store.Handles.GetAsync("pod-a"))!.Value.Total);
        Assert.Empty(await allocator.ReleaseAsync([got.IPv4[0].Address]));
        await allocator.ReleaseAsync(got.IPv4.Skip(1).Select(a => a.Address));
        Assert.Null(await bed.Store.Handles.GetAsync("pod-a"));
        Assert.True((await new IpamChecker(bed.Store).CheckAsync()).IsClean);
    }

    [Fact]
    public async Task A_stale_release_with_an_old_sequence_number_does_nothing()
    {
        await bed.AddPoolAsync("10.0.0.0/30", 30);
        var allocator = bed.Allocator();
        var old = (await allocator.AutoAssignAsync(Request("old", "n1"))).IPv4[0];
        await allocator.ReleaseByHandleAsync("old");
        // The address comes round again to a new owner once the others are taken.
        var others = await allocator.AutoAssignAsync(Request("new", "n1", ipv4: 4));
        var reused = others.IPv4.Single(a => a.Address.Equals(old.Address));
        Assert.NotEqual(old.SequenceNumber, reused.SequenceNumber);

        Assert.Empty(await allocator.ReleaseAsync([new AddressRelease(old.Address, old.SequenceNumber)]));
        Assert.Equal(4, (await allocator.GetByHandleAsync("new")).Count);
        Assert.Single(await allocator.ReleaseAsync([new AddressRelease(reused.Address, reused.SequenceNumber)]));
    }

    [Fact]
    public async Task Empty_blocks_go_back_to_the_pool_and_busy_ones_stay()
    {
        await bed.AddPoolAsync("10.0.0.0/24", 28);
        var allocator = bed.Allocator();
        await allocator.AutoAssignAsync(Request("a", "n1", ipv4: 16));
        await allocator.AutoAssignAsync(Request("b", "n1", ipv4: 1));
        await allocator.AutoAssignAsync(Request("c", "n2", ipv4: 1));
        await allocator.ReleaseByHandleAsync("a");
        await allocator.ReleaseByHandleAsync("c");

        var released = await allocator.ReleaseEmptyBlocksAsync("n1");
        Assert.Single(released);
        var left = (await bed.Store.Blocks.ListAsync()).Select(b => b.Value).ToList();
        Assert.Equal(2, left.Count);
        Assert.DoesNotContain(released[0], left.Select(b => b.Cidr));
        Assert.Equal(2, (await bed.Store.Affinities.ListAsync()).Count);
        Assert.Empty(await allocator.ReleaseEmptyBlocksAsync("n1"));
        Assert.True((await new IpamChecker(bed.Store).CheckAsync()).IsClean);

        Assert.Single(await allocator.ReleaseEmptyBlocksAsync("n2"));
        Assert.Single(await bed.Store.Blocks.ListAsync());
    }

    [Fact]
    public async Task A_block_that_fills_while_being_released_is_kept()
    {
        await bed.AddPoolAsync("10.0.0.0/24", 28);
        var allocator = bed.Allocator();
        await allocator.AutoAssignAsync(Request("a", "n1"));
        await allocator.ReleaseByHandleAsync("a");
        var block = (await bed.Store.Blocks.ListAsync()).Single().Value;

        // Another allocator takes an address in the block right after it is found empty.
        var other = bed.Allocator();
        var raced = false;
        bed.Store.BeforeWrite = write =>
        {
            if (!raced && write.Kind == "BlockAffinity" && write.Operation == Routing.Ipam.Store.IpamWriteOperation.Update)
            {
                raced = true;
                other.AssignAsync(new AssignIPRequest { Address = block.Cidr.BaseAddress, HandleId = "late", Node = "n1" }).GetAwaiter().GetResult();
            }
        };

        Assert.Empty(await allocator.ReleaseEmptyBlocksAsync("n1"));
        bed.Store.BeforeWrite = null;
        Assert.Single(await bed.Store.Blocks.ListAsync());
        Assert.Equal(Routing.Ipam.Blocks.AffinityState.Confirmed, (await bed.Store.Affinities.ListAsync()).Single().Value.State);
        Assert.Single(await allocator.GetByHandleAsync("late"));
        Assert.True((await new IpamChecker(bed.Store).CheckAsync()).IsClean);
    }
}
