using System.Net;
using Routing.Agent.Peering;
using Routing.Agent.Resources;

namespace Routing.Agent.Tests.Peering;

/// <summary>The plan of a route-reflector cluster as Calico builds it: mesh off, a BGPPeer with a peerSelector.</summary>
public sealed class ReflectorPlanTests
{
    private const string Cluster = """
        apiVersion: routing.dev/v1
        kind: BGPConfiguration
        metadata: {name: default}
        spec: {asNumber: 65010, nodeToNodeMeshEnabled: false}
        ---
        apiVersion: routing.dev/v1
        kind: RoutingNode
        metadata: {name: rr1, labels: {route-reflector: "true"}}
        spec: {ipv4Address: 10.0.0.1/24, routeReflectorClusterID: 10.255.0.1}
        ---
        apiVersion: routing.dev/v1
        kind: RoutingNode
        metadata: {name: rr2, labels: {route-reflector: "true"}}
        spec: {ipv4Address: 10.0.0.2/24, routeReflectorClusterID: 10.255.0.1}
        ---
        apiVersion: routing.dev/v1
        kind: RoutingNode
        metadata: {name: rr3, labels: {route-reflector: "true"}}
        spec: {ipv4Address: 10.0.0.3/24, routeReflectorClusterID: 10.255.0.3}
        ---
        apiVersion: routing.dev/v1
        kind: RoutingNode
        metadata: {name: node1}
        spec: {ipv4Address: 10.0.0.11/24}
        ---
        apiVersion: routing.dev/v1
        kind: RoutingNode
        metadata: {name: node2}
        spec: {ipv4Address: 10.0.0.12/24}
        ---
        apiVersion: routing.dev/v1
        kind: BGPPeer
        metadata: {name: peer-with-route-reflectors}
        spec: {nodeSelector: all(), peerSelector: has(route-reflector), holdTime: 9s}
        ---
        apiVersion: routing.dev/v1
        kind: BGPPeer
        metadata: {name: tor}
        spec: {peerIP: 10.0.0.254, asNumber: 65100, node: rr1}
        """;

    private static BgpPlan Plan(string node, string yaml = Cluster) => BgpPlan.Calculate(ResourceFile.Parse(yaml, "cluster.yaml"), node);

    private static string Describe(BgpPlan plan) =>
        string.Join(", ", plan.Peers.OrderBy(p => p.Name, StringComparer.Ordinal).Select(p => $"{p.Name}{(p.Config.RouteReflectorClient ? " (client)" : string.Empty)}"));

    [Fact]
    public void A_client_peers_with_every_reflector_and_no_other_client()
    {
        var plan = Plan("node1");

        Assert.Equal("rr1, rr2, rr3", Describe(plan));
        Assert.Null(plan.Speaker.ClusterId);
        Assert.All(plan.Peers, p => Assert.Equal(9, p.Config.HoldTime));
        Assert.All(plan.Peers, p => Assert.Equal(65010u, p.Config.PeerAs));
        Assert.All(plan.Peers, p => Assert.Equal(IPAddress.Parse("10.0.0.11"), p.Config.SourceAddress));
    }

    [Fact]
    public void A_reflector_peers_with_every_node_the_clients_being_its_clients_and_its_own_cluster_not()
    {
        var plan = Plan("rr1");

        // rr2 shares rr1's cluster: a fellow reflector. rr3 has another cluster ID: a client, as in Calico.
        Assert.Equal("node1 (client), node2 (client), rr2, rr3 (client), tor", Describe(plan));
        Assert.Equal(IPAddress.Parse("10.255.0.1"), plan.Speaker.ClusterId);
        Assert.Equal(PlannedPeer.NodeSpecific, plan.Peers.Single(p => p.Name == "node1").Type);
        Assert.False(plan.Peers.Single(p => p.Name == "tor").Config.RouteReflectorClient);
    }

    [Fact]
    public void With_the_mesh_on_a_reflector_treats_mesh_nodes_by_the_same_rule()
    {
        var plan = Plan("rr1", Cluster.Replace("nodeToNodeMeshEnabled: false", "nodeToNodeMeshEnabled: true", StringComparison.Ordinal));

        Assert.Equal("node1 (client), node2 (client), rr2, rr3 (client), tor", Describe(plan));
        Assert.Equal("node2, rr1, rr2, rr3", Describe(Plan("node1", Cluster.Replace("nodeToNodeMeshEnabled: false", "nodeToNodeMeshEnabled: true", StringComparison.Ordinal))));
    }

    [Fact]
    public void A_selector_that_matches_nothing_leaves_only_the_other_peers()
    {
        var plan = Plan("rr1", Cluster.Replace("has(route-reflector)", "has(no-such-label)", StringComparison.Ordinal));

        Assert.Equal("tor", Describe(plan));
        Assert.Empty(Plan("node1", Cluster.Replace("has(route-reflector)", "has(no-such-label)", StringComparison.Ordinal)).Peers);
    }

    [Fact]
    public void A_peerSelector_that_does_not_parse_names_the_field()
    {
        var error = Assert.Throws<ResourceValidationException>(() => Plan("node1", Cluster.Replace("has(route-reflector)", "\"has(route-reflector\"", StringComparison.Ordinal)));

        Assert.Contains("spec.peerSelector", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Removing_a_node_removes_its_sessions_from_the_plan()
    {
        var without = Cluster.Replace("""
            kind: RoutingNode
            metadata: {name: node2}
            spec: {ipv4Address: 10.0.0.12/24}
            ---
            apiVersion: routing.dev/v1

            """, string.Empty, StringComparison.Ordinal);

        Assert.Equal("node1 (client), rr2, rr3 (client), tor", Describe(Plan("rr1", without)));
    }
}
