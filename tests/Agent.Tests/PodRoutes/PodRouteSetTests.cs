using System.Net;
using Routing.Agent.PodRoutes;
using Routing.Agent.PolicyRules;
using Routing.Dataplane.Netlink;
using Routing.Dataplane.Routes;
using Routing.Ipam.Blocks;

namespace Routing.Agent.Tests.PodRoutes;

/// <summary>Which pods of a node get a host route, out of which veth, and which kernel pod routes the agent leaves to the CNI plugin.</summary>
public sealed class PodRouteSetTests
{
    private static AllocationAttribute Pod(string node, string ns, string pod) =>
        new($"k8s-pod-network.{pod}", new Dictionary<string, string> { [IpamAttributes.Node] = node, [IpamAttributes.Namespace] = ns, [IpamAttributes.Pod] = pod });

    [Fact]
    public void The_nodes_pods_are_read_from_its_allocations_in_any_block_and_named_by_their_veth()
    {
        var own = new AllocationBlock(IPNetwork.Parse("10.244.1.0/26"), "node1");
        own.Assign(IPAddress.Parse("10.244.1.5"), Pod("node1", "default", "web"));
        own.Assign(IPAddress.Parse("10.244.1.6"), Pod("node2", "default", "elsewhere"));
        own.Assign(IPAddress.Parse("10.244.1.7"), new AllocationAttribute("ipip-tunnel-addr-node1", new Dictionary<string, string> { [IpamAttributes.Node] = "node1" }));
        var borrowedFrom = new AllocationBlock(IPNetwork.Parse("10.244.2.0/26"), "node2");
        borrowedFrom.Assign(IPAddress.Parse("10.244.2.9"), Pod("node1", "lab", "db"));

        var pods = LocalPod.From([own, borrowedFrom], "node1");

        Assert.Equal([new LocalPod(IPAddress.Parse("10.244.1.5"), "default", "web"), new LocalPod(IPAddress.Parse("10.244.2.9"), "lab", "db")], pods);
        Assert.Equal(PodInterfaceName.For("default", "web"), pods[0].Interface);
    }

    [Fact]
    public void A_pod_gets_a_host_route_out_of_its_veth_once_the_veth_exists()
    {
        LocalPod[] pods = [new(IPAddress.Parse("10.244.1.5"), "default", "web"), new(IPAddress.Parse("fd00:244::5"), "default", "web"), new(IPAddress.Parse("10.244.1.6"), "default", "db")];
        var links = new Dictionary<string, int> { [PodInterfaceName.For("default", "web")] = 7 };

        var routes = PodRouteSet.Desired(pods, links);

        Assert.Equal(["10.244.1.5/32 dev #7 table 254", "fd00:244::5/128 dev #7 table 254"], routes.Select(r => r.ToString()));
    }

    [Fact]
    public void The_table_keeps_known_pod_routes_and_leaves_unknown_ones_to_the_plugin()
    {
        var set = new PodRouteSet();
        using var table = new RouteTable(new NoKernel(), null, new RouteTableOptions { LeaveAlone = set.LeavesAlone });
        set.Use(table);
        var known = Route.Device(IPNetwork.Parse("10.244.1.5/32"), 7);
        var unknown = Route.Device(IPNetwork.Parse("10.244.1.6/32"), 8);

        Assert.True(set.Set([known]));
        Assert.False(set.Set([known]));

        Assert.False(table.Manages(unknown));
        Assert.True(table.Manages(known));
        Assert.Equal([known.Destination], table.Desired.Select(r => r.Destination));

        // The pod's address released: no longer wanted, and deleted by the table before it is left alone.
        Assert.True(set.Set([]));
        Assert.Empty(table.Desired);
        Assert.True(table.Manages(known));
        set.Set([]);
        Assert.False(table.Manages(known));
    }

    private sealed class NoKernel : IKernelRoutes
    {
        public List<Route> ListByProtocol(byte protocol) => [];

        public NetlinkBatchResult Send(RouteBatch batch) => new(batch.Count, []);
    }
}
