using Routing.Ipam.Blocks;
using Routing.Ipam.Checking;
using Routing.Ipam.Handles;
using static Routing.Ipam.Tests.IpamTestBed;

namespace Routing.Ipam.Tests.Checking;

public class IpamCheckerTests
{
    private readonly IpamTestBed bed = new();

    private Task<IpamCheckReport> CheckAsync(IReadOnlySet<string>? live = null) => new IpamChecker(bed.Store).CheckAsync(live);

    [Fact]
    public async Task A_store_the_allocator_wrote_is_clean()
    {
        await bed.AddPoolAsync("10.0.0.0/16");
        await bed.Allocator().AutoAssignAsync(Request("a", "n1", ipv4: 3));
        Assert.True((await CheckAsync(new HashSet<string> { "a" })).IsClean);
    }

    [Fact]
    public async Task Leaks_are_allocations_without_a_live_owner()
    {
        await bed.AddPoolAsync("10.0.0.0/16");
        await bed.Allocator().AutoAssignAsync(Request("a", "n1"));
        var leak = Assert.Single((await CheckAsync(new HashSet<string>())).Leaks);
        Assert.Equal("a", leak.HandleId);
    }

    [Fact]
    public async Task Orphans_and_count_mismatches()
    {
        await bed.AddPoolAsync("10.0.0.0/16");
        var got = await bed.Allocator().AutoAssignAsync(Request("a", "n1", ipv4: 2));
        var block = got.IPv4[0].Block.ToString();
        await bed.Store.Handles.CreateAsync(new IpamHandle("ghost").WithDelta(block, 1));
        var handle = (await bed.Store.Handles.GetAsync("a"))!;
        await bed.Store.Handles.UpdateAsync(handle.Value.WithDelta(block, 1), handle.Revision);
        var stored = (await bed.Store.Blocks.ListAsync()).Single();
        stored.Value.AutoAssign(1, new AllocationAttribute("nobody"));
        await bed.Store.Blocks.UpdateAsync(stored.Value, stored.Revision);

        var report = await CheckAsync();
        Assert.Equal(
            ["handle a counts 3 addresses in block " + block + "; the block holds 2."],
            report.Duplicates.Select(p => p.Message));
        Assert.Equal(2, report.Orphans.Count);
        Assert.Contains(report.Orphans, p => p.Kind == IpamProblemKind.HandleWithoutAllocations && p.HandleId == "ghost");
        Assert.Contains(report.Orphans, p => p.Kind == IpamProblemKind.AllocationWithoutHandle && p.HandleId == "nobody");
    }

    [Fact]
    public async Task Blocks_and_affinities_that_do_not_pair_up()
    {
        await bed.AddPoolAsync("10.0.0.0/16");
        await bed.Store.Blocks.CreateAsync(new AllocationBlock(Net("10.0.1.0/26"), "n1"));
        await bed.Store.Blocks.CreateAsync(new AllocationBlock(Net("10.0.2.0/26"), null));
        await bed.Store.Affinities.CreateAsync(new BlockAffinity("n2", Net("10.0.3.0/26"), AffinityState.Confirmed));
        await bed.Store.Blocks.CreateAsync(new AllocationBlock(Net("192.168.0.0/26"), null));

        var report = await CheckAsync();
        Assert.Equal(["10.0.1.0/26", "10.0.2.0/26", "192.168.0.0/26"], report.BlocksWithoutAffinity.Select(p => p.Block));
        Assert.Equal("node n2 has a Confirmed affinity for block 10.0.3.0/26, which does not exist.", Assert.Single(report.AffinitiesWithoutBlock).Message);
        Assert.Equal("192.168.0.0/26", Assert.Single(report.BlocksOutsidePools).Block);
    }

    [Fact]
    public async Task An_address_in_two_blocks_is_a_duplicate()
    {
        await bed.AddPoolAsync("10.0.0.0/16");
        var big = new AllocationBlock(Net("10.0.0.0/26"), null);
        big.AutoAssign(1, new AllocationAttribute("a"));
        var small = new AllocationBlock(Net("10.0.0.0/28"), null);
        small.AutoAssign(1, new AllocationAttribute("a"));
        await bed.Store.Blocks.CreateAsync(big);
        await bed.Store.Blocks.CreateAsync(small);
        await bed.Store.Handles.CreateAsync(new IpamHandle("a").WithDelta("10.0.0.0/26", 1).WithDelta("10.0.0.0/28", 1));

        var duplicate = Assert.Single((await CheckAsync()).Duplicates);
        Assert.Equal(IpamProblemKind.DuplicateAddress, duplicate.Kind);
        Assert.Equal("10.0.0.0", duplicate.Address);
    }
}
