using Routing.Ipam.Blocks;
using Routing.Ipam.Checking;
using Routing.Ipam.Store;
using static Routing.Ipam.Tests.IpamTestBed;

namespace Routing.Ipam.Tests.Allocation;

/// <summary>Allocators that stopped between the writes of a claim or a release: the next one finishes the job.</summary>
public class RecoveryTests
{
    private readonly IpamTestBed bed = new();

    [Fact]
    public async Task A_claim_that_stopped_after_the_pending_affinity_is_finished()
    {
        await bed.AddPoolAsync("10.0.0.0/24", 28);
        await bed.Store.Affinities.CreateAsync(new BlockAffinity("n1", Net("10.0.0.32/28"), AffinityState.Pending));

        var got = await bed.Allocator().AutoAssignAsync(Request("a", "n1"));
        Assert.Equal(Net("10.0.0.32/28"), got.IPv4[0].Block);
        Assert.Equal(AffinityState.Confirmed, (await bed.Store.Affinities.ListAsync()).Single().Value.State);
        Assert.True((await new IpamChecker(bed.Store).CheckAsync()).IsClean);
    }

    [Fact]
    public async Task A_claim_is_the_block_and_its_affinity_in_one_write_that_fails_whole()
    {
        await bed.AddPoolAsync("10.0.0.0/24", 28);
        bed.Store.BeforeWrite = write =>
        {
            if (write.Kind == IpamKinds.Block && write.Operation == IpamWriteOperation.Create)
            {
                throw new IOException("the datastore went away");
            }
        };

        await Assert.ThrowsAsync<IOException>(() => bed.Allocator().AutoAssignAsync(Request("a", "n1")));
        Assert.Empty(await bed.Store.Affinities.ListAsync());
        Assert.Empty(await bed.Store.Blocks.ListAsync());

        bed.Store.BeforeWrite = null;
        var got = await bed.Allocator().AutoAssignAsync(Request("a", "n1"));
        Assert.Equal(new BlockAffinity("n1", got.IPv4[0].Block, AffinityState.Confirmed), (await bed.Store.Affinities.ListAsync()).Single().Value);
        Assert.True((await new IpamChecker(bed.Store).CheckAsync()).IsClean);
    }

    [Fact]
    public async Task A_claim_that_stopped_after_creating_the_block_is_confirmed()
    {
        await bed.AddPoolAsync("10.0.0.0/24", 28);
        await bed.Store.Affinities.CreateAsync(new BlockAffinity("n1", Net("10.0.0.32/28"), AffinityState.Pending));
        await bed.Store.Blocks.CreateAsync(new AllocationBlock(Net("10.0.0.32/28"), "n1"));

        Assert.Equal([Net("10.0.0.32/28")], await bed.Allocator().RecoverAsync("n1"));
        Assert.Equal(AffinityState.Confirmed, (await bed.Store.Affinities.ListAsync()).Single().Value.State);
        Assert.Single(await bed.Store.Blocks.ListAsync());
    }

    [Fact]
    public async Task A_lost_claim_leaves_no_affinity_behind()
    {
        await bed.AddPoolAsync("10.0.0.0/24", 28);
        await bed.Store.Affinities.CreateAsync(new BlockAffinity("n1", Net("10.0.0.32/28"), AffinityState.Pending));
        await bed.Store.Blocks.CreateAsync(new AllocationBlock(Net("10.0.0.32/28"), "n2"));
        await bed.Store.Affinities.CreateAsync(new BlockAffinity("n2", Net("10.0.0.32/28"), AffinityState.Confirmed));

        Assert.Empty(await bed.Allocator().RecoverAsync("n1"));
        Assert.Equal("n2", (await bed.Store.Affinities.ListAsync()).Single().Value.Node);
    }

    [Fact]
    public async Task A_release_that_stopped_half_way_is_finished()
    {
        await bed.AddPoolAsync("10.0.0.0/24", 28);
        var marked = new AllocationBlock(Net("10.0.0.16/28"), "n1") { Deleted = true };
        await bed.Store.Blocks.CreateAsync(marked);
        await bed.Store.Affinities.CreateAsync(new BlockAffinity("n1", Net("10.0.0.16/28"), AffinityState.PendingDeletion));
        await bed.Store.Affinities.CreateAsync(new BlockAffinity("n1", Net("10.0.0.48/28"), AffinityState.PendingDeletion));

        Assert.Empty(await bed.Allocator().RecoverAsync("n1"));
        Assert.Empty(await bed.Store.Blocks.ListAsync());
        Assert.Empty(await bed.Store.Affinities.ListAsync());
    }

    [Fact]
    public async Task A_confirmed_affinity_whose_block_vanished_gets_its_block_back()
    {
        await bed.AddPoolAsync("10.0.0.0/24", 28);
        await bed.Store.Affinities.CreateAsync(new BlockAffinity("n1", Net("10.0.0.64/28"), AffinityState.Confirmed));
        var got = await bed.Allocator().AutoAssignAsync(Request("a", "n1"));
        Assert.Equal(Net("10.0.0.64/28"), got.IPv4[0].Block);
        Assert.True((await new IpamChecker(bed.Store).CheckAsync()).IsClean);
    }
}
