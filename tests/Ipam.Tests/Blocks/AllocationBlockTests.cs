using Routing.Ipam.Blocks;
using static Routing.Ipam.Tests.IpamTestBed;

namespace Routing.Ipam.Tests.Blocks;

public class AllocationBlockTests
{
    private static readonly AllocationAttribute PodA = new("a", new Dictionary<string, string> { ["pod"] = "a" });
    private static readonly AllocationAttribute PodB = new("b", new Dictionary<string, string> { ["pod"] = "b" });

    [Fact]
    public void Addresses_are_handed_out_in_order_with_rising_sequence_numbers()
    {
        var block = new AllocationBlock(Net("10.0.0.0/30"), "n1");
        var got = block.AutoAssign(3, PodA);
        Assert.Equal(["10.0.0.0", "10.0.0.1", "10.0.0.2"], got.Select(a => a.Address.ToString()));
        Assert.Equal([0UL, 1UL, 2UL], got.Select(a => a.SequenceNumber));
        Assert.Equal(3, block.AllocatedCount);
        Assert.Equal(1, block.FreeCount);
        Assert.Equal("host:n1", block.Affinity);
        Assert.Equal("n1", block.AffineNode);
    }

    [Fact]
    public void A_released_address_is_reused_last()
    {
        var block = new AllocationBlock(Net("10.0.0.0/30"), "n1");
        block.AutoAssign(1, PodA);
        Assert.NotNull(block.Release(Ip("10.0.0.0")));
        var next = block.AutoAssign(4, PodB);
        Assert.Equal(["10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.0"], next.Select(a => a.Address.ToString()));
        Assert.Empty(block.AutoAssign(1, PodB));
    }

    [Fact]
    public void A_stale_release_does_not_free_the_next_owners_address()
    {
        var block = new AllocationBlock(Net("10.0.0.0/31"), "n1");
        var first = block.AutoAssign(1, PodA)[0];
        block.Release(first.Address, first.SequenceNumber);
        block.AutoAssign(1, PodB);
        var again = block.AutoAssign(1, PodB)[0];
        Assert.Equal(first.Address, again.Address);
        Assert.NotEqual(first.SequenceNumber, again.SequenceNumber);

        Assert.Null(block.Release(first.Address, first.SequenceNumber));
        Assert.Equal("b", block.AllocationOf(first.Address)!.Value.HandleId);
        Assert.NotNull(block.Release(first.Address, again.SequenceNumber));
    }

    [Fact]
    public void Allocations_share_equal_attributes_and_unused_ones_are_dropped()
    {
        var block = new AllocationBlock(Net("10.0.0.0/29"), "n1");
        block.AutoAssign(2, PodA);
        block.AutoAssign(2, PodB);
        block.AutoAssign(1, new AllocationAttribute("a", new Dictionary<string, string> { ["pod"] = "a" }));
        Assert.Equal(2, block.Attributes.Count);
        Assert.Equal(3, block.CountOf("a"));

        var freed = block.ReleaseByHandle("a");
        Assert.Equal(3, freed.Count);
        var attribute = Assert.Single(block.Attributes);
        Assert.Equal("b", attribute.HandleId);
        Assert.All(block.EnumerateAllocations(), a => Assert.Equal("b", a.HandleId));
    }

    [Fact]
    public void Reserved_addresses_are_skipped()
    {
        var block = new AllocationBlock(Net("10.0.0.0/30"), "n1");
        var got = block.AutoAssign(4, PodA, a => a.Equals(Ip("10.0.0.1")));
        Assert.Equal(["10.0.0.0", "10.0.0.2", "10.0.0.3"], got.Select(a => a.Address.ToString()));
    }

    [Fact]
    public void Assigning_a_taken_address_fails()
    {
        var block = new AllocationBlock(Net("10.0.0.0/30"), null);
        Assert.NotNull(block.Assign(Ip("10.0.0.2"), PodA));
        Assert.Null(block.Assign(Ip("10.0.0.2"), PodB));
        Assert.Throws<ArgumentOutOfRangeException>(() => block.Assign(Ip("10.0.0.9"), PodB));
        Assert.Equal(["10.0.0.0", "10.0.0.1", "10.0.0.3"], block.AutoAssign(4, PodB).Select(a => a.Address.ToString()));
    }

    [Fact]
    public void Clones_share_nothing()
    {
        var block = new AllocationBlock(Net("10.0.0.0/30"), "n1");
        var copy = block.Clone();
        copy.AutoAssign(1, PodA);
        copy.Affinity = null;
        Assert.True(block.IsEmpty);
        Assert.Equal("host:n1", block.Affinity);
    }

    [Fact]
    public void Restore_refuses_fields_that_disagree()
    {
        var cidr = Net("10.0.0.0/30");
        var error = Assert.Throws<FormatException>(() => AllocationBlock.Restore(cidr, null, false, false, 0, [null, null, null, null], [0, 1, 2], [], null));
        Assert.Contains("ordinal 3 is neither allocated", error.Message, StringComparison.Ordinal);
        error = Assert.Throws<FormatException>(() => AllocationBlock.Restore(cidr, null, false, false, 0, [0, null, null, null], [1, 2, 3], [], null));
        Assert.Contains("spec.allocations[0] refers to attribute 0", error.Message, StringComparison.Ordinal);
        error = Assert.Throws<FormatException>(() => AllocationBlock.Restore(cidr, null, false, false, 0, [null, null], [0, 1], [], null));
        Assert.Contains("spec.allocations has 2 entries", error.Message, StringComparison.Ordinal);
        error = Assert.Throws<FormatException>(() => AllocationBlock.Restore(cidr, null, false, false, 0, [0, null, null, null], [0, 1, 2, 3], [PodA], null));
        Assert.Contains("spec.unallocated lists 0", error.Message, StringComparison.Ordinal);
    }
}
