using System.Net;
using System.Net.NetworkInformation;
using Routing.Agent.Resources;
using Routing.Agent.Tunnels;
using Routing.Ipam.Blocks;
using Routing.Ipam.Pools;

namespace Routing.Agent.Tests.Tunnels;

/// <summary>Which tunnel devices, routes, neighbour and forwarding entries a node wants, from the nodes, pools and block affinities.</summary>
public sealed class TunnelPlanTests
{
    private static readonly PhysicalAddress Mac2 = PhysicalAddress.Parse("66-00-00-00-00-02");
    private static readonly PhysicalAddress Mac3 = PhysicalAddress.Parse("66-00-00-00-00-03");

    // node1 and node2 share 10.100.1.0/24; node3 is on another rack's subnet.
    private static readonly RoutingNode[] Nodes =
    [
        Node("node1", "10.100.1.11/24", "10.244.0.1", "66-00-00-00-00-01"),
        Node("node2", "10.100.1.12/24", "10.244.1.1", "66-00-00-00-00-02"),
        Node("node3", "10.100.2.13/24", "10.244.2.1", "66-00-00-00-00-03"),
    ];

    private static readonly BlockAffinity[] Affinities =
    [
        Affinity("node1", "10.244.0.0/26"),
        Affinity("node2", "10.244.1.0/26"),
        Affinity("node3", "10.244.2.0/26"),
        Affinity("node3", "10.244.2.64/26"),
    ];

    private static RoutingNode Node(string name, string address, string? vtep = null, string? mac = null) => new()
    {
        Name = name,
        IPv4Address = InterfaceAddress.Parse(address),
        IPv4VxlanTunnelAddress = vtep is null ? null : IPAddress.Parse(vtep),
        VxlanTunnelMacAddress = mac is null ? null : PhysicalAddress.Parse(mac),
    };

    private static BlockAffinity Affinity(string node, string cidr, AffinityState state = AffinityState.Confirmed) => new(node, IPNetwork.Parse(cidr), state);

    private static IPPool Pool(EncapsulationMode vxlan = EncapsulationMode.Never, EncapsulationMode ipip = EncapsulationMode.Never, string cidr = "10.244.0.0/16") =>
        new() { Name = "pods", Cidr = cidr, VxlanMode = vxlan, IpipMode = ipip };

    private static string[] Routes(TunnelPlan plan) => [.. plan.Routes.Select(r => $"{r.Block} {r.Kind} via {r.Gateway}")];

    [Fact]
    public void Vxlan_always_routes_every_remote_block_via_its_nodes_VTEP_with_neighbour_and_forwarding_entries()
    {
        var plan = TunnelPlan.Calculate("node1", Nodes, [Pool(EncapsulationMode.Always)], Affinities);

        Assert.True(plan.Vxlan);
        Assert.False(plan.Ipip);
        Assert.Equal(IPAddress.Parse("10.100.1.11"), plan.NodeAddress);
        Assert.Equal(IPAddress.Parse("10.244.0.1"), plan.TunnelAddress);
        Assert.Equal(
            ["10.244.1.0/26 Vxlan via 10.244.1.1", "10.244.2.0/26 Vxlan via 10.244.2.1", "10.244.2.64/26 Vxlan via 10.244.2.1"],
            Routes(plan));
        Assert.Equal(
            [
                new VxlanPeer("node2", IPAddress.Parse("10.244.1.1"), Mac2, IPAddress.Parse("10.100.1.12")),
                new VxlanPeer("node3", IPAddress.Parse("10.244.2.1"), Mac3, IPAddress.Parse("10.100.2.13")),
            ],
            plan.VxlanPeers);
    }

    [Fact]
    public void Vxlan_cross_subnet_tunnels_only_to_nodes_outside_this_nodes_subnet_and_routes_directly_to_the_others()
    {
        var plan = TunnelPlan.Calculate("node1", Nodes, [Pool(EncapsulationMode.CrossSubnet)], Affinities);

        Assert.True(plan.Vxlan);
        Assert.Equal(
            ["10.244.1.0/26 Direct via 10.100.1.12", "10.244.2.0/26 Vxlan via 10.244.2.1", "10.244.2.64/26 Vxlan via 10.244.2.1"],
            Routes(plan));
        Assert.Equal(["node3"], plan.VxlanPeers.Select(p => p.Node));
    }

    [Fact]
    public void Ipip_routes_remote_blocks_via_the_remote_node_over_tunl0_and_cross_subnet_likewise()
    {
        var always = TunnelPlan.Calculate("node1", Nodes, [Pool(ipip: EncapsulationMode.Always)], Affinities);
        Assert.True(always.Ipip);
        Assert.False(always.Vxlan);
        Assert.Empty(always.VxlanPeers);
        Assert.Equal(
            ["10.244.1.0/26 Ipip via 10.100.1.12", "10.244.2.0/26 Ipip via 10.100.2.13", "10.244.2.64/26 Ipip via 10.100.2.13"],
            Routes(always));

        var crossSubnet = TunnelPlan.Calculate("node1", Nodes, [Pool(ipip: EncapsulationMode.CrossSubnet)], Affinities);
        Assert.Equal(
            ["10.244.1.0/26 Direct via 10.100.1.12", "10.244.2.0/26 Ipip via 10.100.2.13", "10.244.2.64/26 Ipip via 10.100.2.13"],
            Routes(crossSubnet));
    }

    [Fact]
    public void Without_an_encapsulating_pool_nothing_is_wanted_and_blocks_stay_with_bgp()
    {
        Assert.Equal(TunnelPlan.None, TunnelPlan.Calculate("node1", Nodes, [Pool()], Affinities));
        Assert.Equal(TunnelPlan.None, TunnelPlan.Calculate("node1", Nodes, [], Affinities));
    }

    [Fact]
    public void Only_blocks_of_the_encapsulating_pool_are_tunnelled_and_only_confirmed_claims_of_other_nodes()
    {
        var plan = TunnelPlan.Calculate(
            "node1",
            Nodes,
            [Pool(EncapsulationMode.Always), Pool(cidr: "10.250.0.0/16") with { Name = "plain" }],
            [Affinity("node1", "10.244.0.0/26"), Affinity("node2", "10.250.0.0/26"), Affinity("node3", "10.244.2.0/26", AffinityState.Pending), Affinity("node2", "10.244.1.0/26")]);

        Assert.Equal(["10.244.1.0/26 Vxlan via 10.244.1.1"], Routes(plan));
    }

    [Fact]
    public void A_remote_node_that_has_not_published_its_VTEP_yet_is_waited_for_and_gets_no_route()
    {
        var nodes = Nodes.Select(n => n.Name == "node3" ? n with { IPv4VxlanTunnelAddress = null, VxlanTunnelMacAddress = null } : n).ToArray();

        var plan = TunnelPlan.Calculate("node1", nodes, [Pool(EncapsulationMode.Always)], Affinities);

        Assert.Equal(["10.244.1.0/26 Vxlan via 10.244.1.1"], Routes(plan));
        Assert.Equal(["node3"], plan.Waiting);
        Assert.Equal(["node2"], plan.VxlanPeers.Select(p => p.Node));
    }

    [Fact]
    public void The_VTEP_comes_from_the_first_enabled_IPv4_VXLAN_pool_that_selects_the_node()
    {
        IPPool[] pools =
        [
            Pool(EncapsulationMode.Always, cidr: "10.9.0.0/16") with { Name = "b-off", Disabled = true },
            Pool(EncapsulationMode.Always, cidr: "fd00::/64") with { Name = "a-v6" },
            Pool(cidr: "10.8.0.0/16") with { Name = "a-plain" },
            Pool(EncapsulationMode.CrossSubnet, cidr: "10.7.0.0/16") with { Name = "c-vxlan" },
            Pool(EncapsulationMode.Always, cidr: "10.6.0.0/16") with { Name = "d-vxlan" },
        ];

        Assert.Equal("c-vxlan", TunnelPlan.VxlanPoolFor(pools, _ => true)?.Name);
        Assert.Equal("d-vxlan", TunnelPlan.VxlanPoolFor(pools, p => p.Name != "c-vxlan")?.Name);
        Assert.Null(TunnelPlan.VxlanPoolFor(pools, _ => false));
    }
}
