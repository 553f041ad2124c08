using System.Net;
using Routing.Agent.Routes;
using Routing.Bgp.Wire;
using Routing.Ipam.Blocks;

namespace Routing.Agent.Tests.Routes;

/// <summary>What a node advertises for addresses its pods borrowed from blocks it has no affinity for.</summary>
public sealed class BorrowedAddressesTests
{
    private static AllocationAttribute Pod(string node, string pod) =>
        new($"k8s-pod-network.{pod}", new Dictionary<string, string> { [IpamAttributes.Node] = node, ["pod"] = pod });

    [Fact]
    public void Addresses_allocated_to_this_node_in_other_nodes_blocks_are_host_routes()
    {
        var own = new AllocationBlock(IPNetwork.Parse("10.244.1.0/26"), "node1");
        own.Assign(IPAddress.Parse("10.244.1.5"), Pod("node1", "a"));
        var others = new AllocationBlock(IPNetwork.Parse("10.244.2.0/26"), "node2");
        others.Assign(IPAddress.Parse("10.244.2.9"), Pod("node1", "b"));
        others.Assign(IPAddress.Parse("10.244.2.7"), Pod("node1", "c"));
        others.Assign(IPAddress.Parse("10.244.2.8"), Pod("node2", "d"));
        var v6 = new AllocationBlock(IPNetwork.Parse("fd00:244::/122"), "node3");
        v6.Assign(IPAddress.Parse("fd00:244::3"), Pod("node1", "e"));
        var unowned = new AllocationBlock(IPNetwork.Parse("10.244.3.0/26"), null);
        unowned.Assign(IPAddress.Parse("10.244.3.1"), Pod("node1", "f"));

        var borrowed = BorrowedAddresses.From([own, others, v6, unowned], "node1");

        Assert.Equal(
            [Prefix.Parse("10.244.2.7/32"), Prefix.Parse("10.244.2.9/32"), Prefix.Parse("10.244.3.1/32"), Prefix.Parse("fd00:244::3/128")],
            borrowed);
        Assert.Empty(BorrowedAddresses.From([own], "node1"));

        // node2's pod in node2's own block is covered by the block's route: nothing extra.
        Assert.Empty(BorrowedAddresses.From([own, others], "node2"));
    }
}
