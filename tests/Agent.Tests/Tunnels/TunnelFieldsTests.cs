using System.Net;
using System.Net.NetworkInformation;
using Routing.Agent.Resources;
using Routing.Agent.Routes;
using Routing.Agent.Tunnels;
using Routing.Dataplane.Netlink;
using Routing.Dataplane.Routes;
using KernelRoute = Routing.Dataplane.Routes.Route;

namespace Routing.Agent.Tests.Tunnels;

/// <summary>The VTEP fields the agent writes on its RoutingNode, and how tunnel routes sit among the node's other kernel routes.</summary>
public sealed class TunnelFieldsTests : IDisposable
{
    private readonly RouteTable table = new(new NoKernel(), null);

    public void Dispose() => table.Dispose();

    [Fact]
    public void A_RoutingNode_carries_its_VTEP_address_and_MAC_in_Calicos_fields()
    {
        var node = Assert.Single(ResourceFile.Parse("""
            apiVersion: routing.dev/v1
            kind: RoutingNode
            metadata: {name: node1}
            spec: {ipv4Address: 10.100.1.11/24, ipv4VXLANTunnelAddr: 10.244.0.1, vxlanTunnelMACAddr: "66:1e:3a:4f:00:01"}
            """, "nodes.yaml").Nodes);

        Assert.Equal(IPAddress.Parse("10.244.0.1"), node.IPv4VxlanTunnelAddress);
        Assert.Equal(PhysicalAddress.Parse("66-1E-3A-4F-00-01"), node.VxlanTunnelMacAddress);
        Assert.Equal("66:1e:3a:4f:00:01", VtepPublisher.Format(node.VxlanTunnelMacAddress!));
    }

    [Fact]
    public void A_malformed_MAC_is_refused_naming_the_field()
    {
        var e = Assert.Throws<ResourceValidationException>(() => ResourceFile.Parse("""
            apiVersion: routing.dev/v1
            kind: RoutingNode
            metadata: {name: node1}
            spec: {vxlanTunnelMACAddr: "66:1e:3a"}
            """, "nodes.yaml"));

        Assert.Contains("spec.vxlanTunnelMACAddr", e.Message, StringComparison.Ordinal);
        Assert.Contains("is not a MAC address", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Tunnel_routes_are_programmed_own_blocks_still_blackholed_and_removed_tunnel_routes_go()
    {
        var routes = new KernelRoutes(table);
        routes.SetOwnBlocks([Bgp.Wire.Prefix.Parse("10.244.0.0/26")]);
        var tunnel = new KernelRoute { Destination = IPNetwork.Parse("10.244.1.0/26"), Gateway = IPAddress.Parse("10.244.1.1"), InterfaceIndex = 7, OnLink = true };
        var clash = new KernelRoute { Destination = IPNetwork.Parse("10.244.0.0/26"), Gateway = IPAddress.Parse("10.244.9.9"), InterfaceIndex = 7, OnLink = true };

        routes.SetTunnelRoutes([tunnel, clash]);
        Assert.Equal(["10.244.0.0/26 Blackhole", "10.244.1.0/26 via 10.244.1.1 dev 7 onlink"], Desired());

        routes.SetTunnelRoutes([]);
        Assert.Equal(["10.244.0.0/26 Blackhole"], Desired());
    }

    private string[] Desired() => table.Desired
        .Select(r => r.Type == RouteType.Blackhole ? $"{r.Destination} Blackhole" : $"{r.Destination} via {r.Gateway} dev {r.InterfaceIndex}{(r.OnLink ? " onlink" : "")}")
        .Order(StringComparer.Ordinal)
        .ToArray();

    private sealed class NoKernel : IKernelRoutes
    {
        public List<KernelRoute> ListByProtocol(byte protocol) => [];

        public NetlinkBatchResult Send(RouteBatch batch) => throw new NotSupportedException("these tests never apply");
    }
}
