using System.Net;
using Routing.Agent.Resources;
using Routing.Bgp.Wire;

namespace Routing.Agent.Tests.Resources;

/// <summary>Reading every kind with all its fields, the defaults, and the documents kept opaque.</summary>
public sealed class ResourceFileTests
{
    private const string Everything = """
        # The BGP resources of a small rack.
        apiVersion: routing.dev/v1
        kind: BGPConfiguration
        metadata:
          name: default
        spec:
          asNumber: 64513
          listenPort: 1179
          nodeToNodeMeshEnabled: false
          logSeverityScreen: Info
          routerId: 10.0.0.254
        ---
        apiVersion: routing.dev/v1
        kind: RoutingNode
        metadata:
          name: node-1
          labels:
            rack: r1
            routing.dev/route-reflector: "true"
        spec:
          asNumber: 65001
          ipv4Address: 10.0.0.1/24
          ipv6Address: 2001:db8::1/64
          routeReflectorClusterID: 224.0.0.1
          advertise:
            - 192.0.2.0/24
            - 2001:db8:100::/48
        ---
        apiVersion: routing.dev/v1
        kind: BGPPeer
        metadata:
          name: rack1-tor
        spec:
          peerIP: 10.0.0.254:1179
          asNumber: 65000
          nodeSelector: rack == 'r1' && !has(edge)
          keepaliveTime: 10s
          holdTime: 30s
          passive: true
          sourceAddress: 10.0.0.1
          password: s3cret
        ---
        apiVersion: routing.dev/v1
        kind: BGPPeer
        metadata:
          name: node-1-v6
        spec:
          peerIP: "[2001:db8::fe]:1179"
          asNumber: 65000.10
          node: node-1
          sourceAddress: None
        ---
        apiVersion: routing.dev/v1
        kind: BGPPeer
        metadata:
          name: mesh-to-reflectors
        spec:
          peerSelector: has(routing.dev/route-reflector)
          nodeSelector: all()
        """;

    [Fact]
    public void BGPConfiguration_is_read_with_all_its_fields()
    {
        var set = ResourceFile.Parse(Everything, "bgp.yaml");

        var configuration = Assert.Single(set.BgpConfigurations);
        Assert.Equal(
            new BgpConfiguration
            {
                Name = "default",
                AsNumber = 64513,
                ListenPort = 1179,
                NodeToNodeMeshEnabled = false,
                LogSeverityScreen = "Info",
                RouterId = IPAddress.Parse("10.0.0.254"),
            },
            configuration);
        Assert.Same(configuration, set.GlobalBgpConfiguration);
    }

    [Fact]
    public void RoutingNode_is_read_with_all_its_fields()
    {
        var node = Assert.Single(ResourceFile.Parse(Everything, "bgp.yaml").Nodes);

        Assert.Equal(
            new RoutingNode
            {
                Name = "node-1",
                Labels = Labels.Create(("rack", "r1"), ("routing.dev/route-reflector", "true")),
                AsNumber = 65001,
                IPv4Address = InterfaceAddress.Parse("10.0.0.1/24"),
                IPv6Address = InterfaceAddress.Parse("2001:db8::1/64"),
                RouteReflectorClusterId = IPAddress.Parse("224.0.0.1"),
                Advertise = new[] { Prefix.Parse("192.0.2.0/24"), Prefix.Parse("2001:db8:100::/48") },
            },
            node);
        Assert.Equal("10.0.0.0/24", node.IPv4Address!.Value.Network.ToString());
        Assert.True(node.IsRouteReflector);
    }

    [Fact]
    public void BGPPeer_is_read_with_all_its_fields()
    {
        var set = ResourceFile.Parse(Everything, "bgp.yaml");

        var tor = set.FindBgpPeer("rack1-tor");
        Assert.Equal(
            new BgpPeer
            {
                Name = "rack1-tor",
                PeerIP = new PeerEndpoint(IPAddress.Parse("10.0.0.254"), 1179),
                AsNumber = 65000,
                NodeSelector = NodeSelector.Parse("rack == 'r1' && !has(edge)"),
                KeepaliveTime = TimeSpan.FromSeconds(10),
                HoldTime = TimeSpan.FromSeconds(30),
                Passive = true,
                SourceAddress = SourceAddress.FromAddress(IPAddress.Parse("10.0.0.1")),
                Password = "s3cret",
            },
            tor);

        var v6 = set.FindBgpPeer("node-1-v6")!;
        Assert.Equal(new PeerEndpoint(IPAddress.Parse("2001:db8::fe"), 1179), v6.PeerIP);
        Assert.Equal((65000u << 16) | 10, v6.AsNumber); // asdot, RFC 5396
        Assert.Equal("node-1", v6.Node);
        Assert.Same(SourceAddress.None, v6.SourceAddress);

        var reflectors = set.FindBgpPeer("mesh-to-reflectors")!;
        Assert.Null(reflectors.PeerIP);
        Assert.Null(reflectors.AsNumber);
        Assert.Equal("has(routing.dev/route-reflector)", reflectors.PeerSelector);
        Assert.Equal(NodeSelector.All, reflectors.NodeSelector);
    }

    [Fact]
    public void Typed_lists_are_ordered_by_name()
    {
        var set = ResourceFile.Parse(Everything, "bgp.yaml");

        Assert.Equal(["mesh-to-reflectors", "node-1-v6", "rack1-tor"], set.BgpPeers.Select(p => p.Name));
    }

    [Fact]
    public void Omitted_fields_take_their_defaults()
    {
        var set = ResourceFile.Parse("""
            apiVersion: routing.dev/v1
            kind: BGPConfiguration
            metadata: {name: default}
            ---
            apiVersion: routing.dev/v1
            kind: RoutingNode
            metadata: {name: node-2}
            ---
            apiVersion: routing.dev/v1
            kind: BGPPeer
            metadata: {name: tor}
            spec: {peerIP: 192.0.2.1, asNumber: 65000}
            """, "defaults.yaml");

        var configuration = Assert.Single(set.BgpConfigurations);
        Assert.Equal(64512u, configuration.AsNumber);
        Assert.Equal(179, configuration.ListenPort);
        Assert.True(configuration.NodeToNodeMeshEnabled);
        Assert.Null(configuration.LogSeverityScreen);
        Assert.Null(configuration.RouterId);
        Assert.Equal(BgpConfiguration.Default, configuration);

        var node = Assert.Single(set.Nodes);
        Assert.Equal(new RoutingNode { Name = "node-2" }, node);
        Assert.Empty(node.Labels);
        Assert.Empty(node.Advertise);

        var peer = Assert.Single(set.BgpPeers);
        Assert.Equal(179, peer.PeerIP!.Value.PortOrDefault);
        Assert.Null(peer.PeerIP.Value.Port);
        Assert.Null(peer.KeepaliveTime);
        Assert.Null(peer.HoldTime);
        Assert.False(peer.Passive);
        Assert.Same(SourceAddress.UseNodeIP, peer.SourceAddress);
        Assert.Null(peer.Password);
        Assert.True(peer.AppliesTo("any-node", Labels.Empty));
    }

    [Fact]
    public void Without_a_BGPConfiguration_the_global_one_is_the_default()
    {
        var set = ResourceFile.Parse("", "empty.yaml");

        Assert.Equal(ResourceSet.Empty, set);
        Assert.Equal(BgpConfiguration.Default, set.GlobalBgpConfiguration);
        Assert.Equal(64512u, set.GlobalBgpConfiguration.AsNumber);
    }

    [Fact]
    public void Empty_documents_and_comments_are_skipped()
    {
        var set = ResourceFile.Parse("""
            # nothing yet
            ---
            ---
            apiVersion: routing.dev/v1
            kind: RoutingNode
            metadata: {name: a}
            spec: ~
            ---
            """, "sparse.yaml");

        Assert.Equal("a", Assert.Single(set.Nodes).Name);
    }

    [Fact]
    public void Unknown_kinds_are_kept_whole_for_later_readers()
    {
        var set = ResourceFile.Parse("""
            apiVersion: routing.dev/v1
            kind: IPPool
            metadata:
              name: default-ipv4
            spec:
              cidr: 10.244.0.0/16   # the pod network
              blockSize: 26
              ipipMode: Never
              vxlanMode: Always
              natOutgoing: true
            ---
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata:
              name: deny-all
              namespace: shop
            spec:
              podSelector: {}
            ---
            apiVersion: v1
            kind: Namespace
            metadata: {name: shop}
            ---
            apiVersion: routing.dev/v1
            kind: GlobalNetworkPolicy
            metadata: {name: allow-dns}
            spec: {selector: all(), types: [Egress]}
            """, "cluster.yaml");

        Assert.Equal(["IPPool", "NetworkPolicy", "Namespace", "GlobalNetworkPolicy"], set.OpaqueResources.Select(r => r.Kind));
        var pool = set.OpaqueResources[0];
        Assert.Equal("routing.dev/v1", pool.ApiVersion);
        Assert.Equal("default-ipv4", pool.Name);
        Assert.Null(pool.Namespace);
        Assert.Equal(1, pool.Document);
        Assert.StartsWith("apiVersion: routing.dev/v1\nkind: IPPool\n", pool.Yaml, StringComparison.Ordinal);
        Assert.Contains("cidr: 10.244.0.0/16   # the pod network", pool.Yaml, StringComparison.Ordinal);
        Assert.EndsWith("natOutgoing: true\n", pool.Yaml, StringComparison.Ordinal);
        Assert.DoesNotContain("---", pool.Yaml, StringComparison.Ordinal);

        var policy = set.OpaqueResources[1];
        Assert.Equal(("networking.k8s.io/v1", "deny-all", "shop", 2), (policy.ApiVersion, policy.Name, policy.Namespace, policy.Document));
        Assert.Equal(12, policy.Line);
        Assert.Equal("apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: deny-all\n  namespace: shop\nspec:\n  podSelector: {}\n", policy.Yaml);
        Assert.Single(set.OpaqueOfKind("GlobalNetworkPolicy"));
    }

    [Fact]
    public void Two_parses_of_the_same_text_are_equal()
    {
        var first = ResourceFile.Parse(Everything, "bgp.yaml");
        var second = ResourceFile.Parse(Everything, "bgp.yaml");

        Assert.Equal(first, second);
        Assert.Equal(first.GetHashCode(), second.GetHashCode());
        Assert.NotSame(first.BgpPeers[0], second.BgpPeers[0]);
        Assert.Equal(first.BgpPeers[0], second.BgpPeers[0]);
    }

    [Fact]
    public void Reordering_documents_and_reformatting_do_not_change_the_set()
    {
        var documents = Everything.Split("---\n");
        var reordered = string.Join("---\n", documents.Reverse().Select(d => d.TrimEnd() + "\n"))
            .Replace("  asNumber: 65000\n", "  asNumber: \"65000\"   # quoted\n", StringComparison.Ordinal)
            .Replace("rack == 'r1' && !has(edge)", "\"rack==\\\"r1\\\"&&!has( edge )\"", StringComparison.Ordinal);

        Assert.Equal(ResourceFile.Parse(Everything, "a.yaml"), ResourceFile.Parse(reordered, "b.yaml"));
    }

    [Fact]
    public void Changing_one_peer_changes_only_that_peer()
    {
        var before = ResourceFile.Parse(Everything, "bgp.yaml");
        var after = ResourceFile.Parse(Everything.Replace("holdTime: 30s", "holdTime: 60s", StringComparison.Ordinal), "bgp.yaml");

        Assert.NotEqual(before, after);
        Assert.Equal(before.Nodes, after.Nodes);
        Assert.Equal(before.FindBgpPeer("node-1-v6"), after.FindBgpPeer("node-1-v6"));
        Assert.NotEqual(before.FindBgpPeer("rack1-tor"), after.FindBgpPeer("rack1-tor"));
    }

    [Fact]
    public void A_peer_password_is_not_printed()
    {
        var peer = ResourceFile.Parse(Everything, "bgp.yaml").FindBgpPeer("rack1-tor")!;

        Assert.DoesNotContain("s3cret", peer.ToString(), StringComparison.Ordinal);
        Assert.Contains("Password = (set)", peer.ToString(), StringComparison.Ordinal);
        Assert.Contains("PeerIP = 10.0.0.254:1179", peer.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_peer_applies_to_its_node_or_to_the_nodes_its_selector_matches()
    {
        var set = ResourceFile.Parse(Everything, "bgp.yaml");
        var tor = set.FindBgpPeer("rack1-tor")!;
        var v6 = set.FindBgpPeer("node-1-v6")!;

        Assert.True(tor.AppliesTo("node-1", Labels.Create(("rack", "r1"))));
        Assert.False(tor.AppliesTo("node-1", Labels.Create(("rack", "r1"), ("edge", ""))));
        Assert.False(tor.AppliesTo("node-9", Labels.Create(("rack", "r2"))));
        Assert.True(v6.AppliesTo("node-1", Labels.Empty));
        Assert.False(v6.AppliesTo("node-2", Labels.Empty));
    }
}
