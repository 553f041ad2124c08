using System.Net;
using Routing.Agent.Peering;
using Routing.Agent.Resources;
using Routing.Bgp.Wire;

namespace Routing.Agent.Tests.Peering;

public sealed class BgpPlanTests
{
    private const string Cluster = """
        apiVersion: routing.dev/v1
        kind: BGPConfiguration
        metadata: {name: default}
        spec: {asNumber: 65010, listenPort: 1179}
        ---
        apiVersion: routing.dev/v1
        kind: RoutingNode
        metadata: {name: node1, labels: {rack: r1}}
        spec: {ipv4Address: 10.0.0.1/24, ipv6Address: fd00::1/64, advertise: [10.20.0.0/26]}
        ---
        apiVersion: routing.dev/v1
        kind: RoutingNode
        metadata: {name: node2, labels: {rack: r2}}
        spec: {ipv4Address: 10.0.0.2/24, asNumber: 65020}
        ---
        apiVersion: routing.dev/v1
        kind: RoutingNode
        metadata: {name: node3}
        spec: {ipv4Address: 10.0.0.3/24}
        ---
        apiVersion: routing.dev/v1
        kind: BGPPeer
        metadata: {name: tor-r1}
        spec: {peerIP: 10.0.0.254, asNumber: 65100, nodeSelector: "rack == 'r1'", holdTime: 9s}
        ---
        apiVersion: routing.dev/v1
        kind: BGPPeer
        metadata: {name: tor-r2}
        spec: {peerIP: 10.0.1.254, asNumber: 65200, nodeSelector: "rack == 'r2'"}
        ---
        apiVersion: routing.dev/v1
        kind: BGPPeer
        metadata: {name: route-server}
        spec: {peerIP: "[fd00::fe]:1790", asNumber: 65300, passive: true}
        ---
        apiVersion: routing.dev/v1
        kind: BGPPeer
        metadata: {name: node3-override}
        spec: {peerIP: 10.0.0.3, asNumber: 65030, node: node1}
        """;

    private static BgpPlan Plan(string yaml, string node) => BgpPlan.Calculate(ResourceFile.Parse(yaml, "cluster.yaml"), node);

    [Fact]
    public void The_speaker_takes_its_identity_from_the_node_and_the_global_configuration()
    {
        var plan = Plan(Cluster, "node1");

        Assert.Equal(65010u, plan.Speaker.Asn);
        Assert.Equal(IPAddress.Parse("10.0.0.1"), plan.Speaker.RouterId);
        Assert.Equal(1179, plan.Speaker.ListenPort);
        Assert.Equal(IPAddress.Parse("fd00::1"), plan.Speaker.IPv6NextHop);
        Assert.Equal(["10.20.0.0/26"], plan.Originated.Select(p => p.ToString()));
    }

    [Fact]
    public void The_node_advertises_its_address_blocks_besides_its_advertise_list_once_each()
    {
        var blocks = new[] { Prefix.Parse("10.244.3.0/26"), Prefix.Parse("10.20.0.0/26"), Prefix.Parse("10.244.1.0/26") };

        var plan = BgpPlan.Calculate(ResourceFile.Parse(Cluster, "cluster.yaml"), "node1", blocks);

        Assert.Equal(["10.20.0.0/26", "10.244.1.0/26", "10.244.3.0/26"], plan.Originated.Select(p => p.ToString()));
    }

    [Fact]
    public void Peers_are_the_mesh_plus_the_BGPPeers_that_select_the_node_and_explicit_ones_win()
    {
        var peers = Plan(Cluster, "node1").Peers.ToDictionary(p => p.Config.PeerAddress.ToString());

        Assert.Equal(["10.0.0.2", "10.0.0.254", "10.0.0.3", "fd00::fe"], peers.Keys.Order(StringComparer.Ordinal));
        Assert.Equal((PlannedPeer.Mesh, 65020u), (peers["10.0.0.2"].Type, peers["10.0.0.2"].Config.PeerAs));
        Assert.Equal((PlannedPeer.NodeSpecific, 65100u, (ushort)9), (peers["10.0.0.254"].Type, peers["10.0.0.254"].Config.PeerAs, peers["10.0.0.254"].Config.HoldTime));
        Assert.Equal((PlannedPeer.NodeSpecific, 65030u), (peers["10.0.0.3"].Type, peers["10.0.0.3"].Config.PeerAs));
        var routeServer = peers["fd00::fe"];
        Assert.Equal((PlannedPeer.Global, 1790, true), (routeServer.Type, routeServer.Config.PeerPort, routeServer.Config.Passive));
        Assert.Equal(IPAddress.Parse("fd00::1"), routeServer.Config.SourceAddress);
    }

    [Fact]
    public void Another_node_gets_its_own_rack_router_and_its_own_AS()
    {
        var plan = Plan(Cluster, "node2");

        Assert.Equal(65020u, plan.Speaker.Asn);
        Assert.Contains(plan.Peers, p => p.Name == "tor-r2");
        Assert.DoesNotContain(plan.Peers, p => p.Name == "tor-r1");
    }

    [Fact]
    public void Without_the_mesh_only_BGPPeers_remain()
    {
        var plan = Plan(Cluster.Replace("listenPort: 1179", "listenPort: 1179, nodeToNodeMeshEnabled: false", StringComparison.Ordinal), "node1");

        Assert.DoesNotContain(plan.Peers, p => p.Type == PlannedPeer.Mesh);
    }

    [Fact]
    public void An_unknown_node_is_an_error_that_says_what_to_add()
    {
        var error = Assert.Throws<PlanException>(() => Plan(Cluster, "node9"));

        Assert.Contains("no RoutingNode named 'node9'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_same_resources_give_an_equal_plan()
    {
        Assert.Equal(Plan(Cluster, "node1"), Plan(Cluster, "node1"));
    }
}
