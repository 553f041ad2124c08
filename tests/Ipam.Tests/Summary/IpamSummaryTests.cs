using Routing.Ipam.Summary;

namespace Routing.Ipam.Tests.Summary;

public class IpamSummaryTests
{
    [Fact]
    public async Task Pools_blocks_affinities_and_use_per_node()
    {
        var bed = new IpamTestBed();
        await bed.AddPoolAsync("10.0.0.0/27", 28, name: "small");
        await bed.AddPoolAsync("fd00::/64", name: "six");
        var allocator = bed.Allocator();
        await allocator.AutoAssignAsync(IpamTestBed.Request("a", "n1", ipv4: 3, ipv6: 2));
        await allocator.AutoAssignAsync(IpamTestBed.Request("b", "n2", ipv4: 15));
        await allocator.AutoAssignAsync(IpamTestBed.Request("c", "n3", ipv4: 2));   // borrowed

        var summary = await IpamSummary.BuildAsync(bed.Store);
        var small = summary.Pools.Single(p => p.Name == "small");
        Assert.Equal((UInt128)32, small.Capacity);
        Assert.Equal(2, small.Blocks);
        Assert.Equal(20, small.Allocated);
        Assert.Equal(12, small.FreeInBlocks);
        Assert.Equal(20.0 / 32, small.Utilisation);
        var six = summary.Pools.Single(p => p.Name == "six");
        Assert.Equal(UInt128.One << 64, six.Capacity);
        Assert.Equal(122, six.BlockSize);

        Assert.Equal(3, summary.Blocks.Count);
        Assert.Equal(3, summary.Affinities.Count);
        Assert.All(summary.Affinities, a => Assert.Equal("Confirmed", a.State));
        var n1 = summary.Nodes.Single(n => n.Node == "n1" && n.Pool == "small");
        Assert.Equal(1, n1.Blocks);
        Assert.InRange(n1.AllocatedInBlocks, 3, 5);
        Assert.Equal(3, n1.AddressesInUse);
        var n3 = summary.Nodes.Single(n => n.Node == "n3");
        Assert.Equal(0, n3.Blocks);
        Assert.Equal(2, n3.AddressesInUse);
        Assert.Equal(2, summary.Nodes.Single(n => n.Node == "n1" && n.Pool == "six").AddressesInUse);
    }
}
