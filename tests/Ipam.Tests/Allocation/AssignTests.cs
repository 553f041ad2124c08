using Routing.Ipam.Allocation;
using Routing.Ipam.Blocks;
using Routing.Ipam.Checking;
using Routing.Ipam.Reservations;
using static Routing.Ipam.Tests.IpamTestBed;

namespace Routing.Ipam.Tests.Allocation;

public class AssignTests
{
    private readonly IpamTestBed bed = new();

    private static AssignIPRequest Exact(string address, string handle, string node = "n1") =>
        new() { Address = Ip(address), HandleId = handle, Node = node };

    [Fact]
    public async Task An_exact_address_is_allocated_and_its_block_claimed_for_the_node()
    {
        await bed.AddPoolAsync("10.0.0.0/16");
        var allocation = await bed.Allocator().AssignAsync(Exact("10.0.3.7", "pod-a"));
        Assert.Equal(Ip("10.0.3.7"), allocation.Address);
        Assert.Equal(Net("10.0.3.0/26"), allocation.Block);
        var block = (await bed.Store.Blocks.GetAsync("10-0-3-0-26"))!.Value;
        Assert.Equal("n1", block.AffineNode);
        Assert.Equal("pod-a", block.AllocationOf(Ip("10.0.3.7"))!.Value.HandleId);
        Assert.True((await new IpamChecker(bed.Store).CheckAsync()).IsClean);
    }

    [Fact]
    public async Task A_taken_address_is_an_error_unless_the_same_handle_asks_again()
    {
        await bed.AddPoolAsync("10.0.0.0/16");
        var allocator = bed.Allocator();
        var first = await allocator.AssignAsync(Exact("10.0.0.9", "pod-a"));
        var again = await allocator.AssignAsync(Exact("10.0.0.9", "pod-a"));
        Assert.Equal(first, again);
        Assert.Equal(1, (await bed.Store.Handles.GetAsync("pod-a"))!.Value.Total);

        var taken = await Assert.ThrowsAsync<IpamException>(() => allocator.AssignAsync(Exact("10.0.0.9", "pod-b", "n2")));
        Assert.Equal(IpamErrorKind.AddressInUse, taken.Kind);
        Assert.Contains("10.0.0.9 is already allocated (handle pod-a)", taken.Message, StringComparison.Ordinal);
        Assert.Null(await bed.Store.Handles.GetAsync("pod-b"));
    }

    [Fact]
    public async Task An_address_in_another_nodes_block_is_allocated_there()
    {
        await bed.AddPoolAsync("10.0.0.0/16");
        var allocator = bed.Allocator();
        await allocator.AssignAsync(Exact("10.0.0.1", "pod-a", "n1"));
        var allocation = await allocator.AssignAsync(Exact("10.0.0.2", "pod-b", "n2"));
        Assert.Equal(Net("10.0.0.0/26"), allocation.Block);
        Assert.Single(await bed.Store.Affinities.ListAsync());
    }

    [Fact]
    public async Task Reserved_and_poolless_addresses_are_refused()
    {
        await bed.AddPoolAsync("10.0.0.0/16");
        await bed.Store.Reservations.CreateAsync(IPReservation.Parse("vip", ["10.0.0.100"]));
        var allocator = bed.Allocator();
        var reserved = await Assert.ThrowsAsync<IpamException>(() => allocator.AssignAsync(Exact("10.0.0.100", "a")));
        Assert.Equal(IpamErrorKind.AddressReserved, reserved.Kind);
        Assert.Equal("10.0.0.100 is reserved by IPReservation vip.", reserved.Message);
        var outside = await Assert.ThrowsAsync<IpamException>(() => allocator.AssignAsync(Exact("192.168.0.1", "a")));
        Assert.Equal(IpamErrorKind.AddressNotInPool, outside.Kind);
        Assert.Empty(await bed.Store.Blocks.ListAsync());
    }

    [Fact]
    public async Task Exact_IPv6_addresses()
    {
        await bed.AddPoolAsync("fd00::/64");
        var allocation = await bed.Allocator().AssignAsync(Exact("fd00::1:2", "a"));
        Assert.Equal(Net("fd00::1:0/122"), allocation.Block);
        var mine = await bed.Allocator().GetByHandleAsync("a");
        Assert.Equal(Ip("fd00::1:2"), Assert.Single(mine).Address);
        Assert.Equal(AffinityState.Confirmed, (await bed.Store.Affinities.ListAsync()).Single().Value.State);
    }
}
