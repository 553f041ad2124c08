using Routing.TestKit;
using Routing.TestKit.Daemons;
using Routing.TestKit.Namespaces;
using Xunit.Abstractions;

namespace Routing.Interop.Tests.Node;

/// <summary>
/// ECMP: a node with two top-of-rack routers (BIRD, each in an AS of its own) that offer one prefix
/// with equal attributes has one kernel route with a next hop through each; when one router
/// withdraws the prefix, the route goes through the other alone.
/// </summary>
[Trait("Category", "Netns")]
public sealed class EcmpRoutesTests(ITestOutputHelper output)
{
    private static readonly string RoutingDll = Path.Combine(AppContext.BaseDirectory, "routing.dll");

    private const string Resources = """
        apiVersion: routing.dev/v1
        kind: BGPConfiguration
        metadata: {name: default}
        spec: {asNumber: 65010, nodeToNodeMeshEnabled: false}
        ---
        apiVersion: routing.dev/v1
        kind: RoutingNode
        metadata: {name: node1}
        spec: {ipv4Address: 10.0.53.1/30}
        ---
        apiVersion: routing.dev/v1
        kind: BGPPeer
        metadata: {name: tor1}
        spec: {peerIP: 10.0.53.2, asNumber: 65031}
        ---
        apiVersion: routing.dev/v1
        kind: BGPPeer
        metadata: {name: tor2}
        spec: {peerIP: 10.0.53.6, asNumber: 65032}
        """;

    private static string Bird(string local, uint asn, string neighbor) => $$"""
        {{BirdDaemon.StaticRoutes("rack", ["10.40.0.0/24"])}}
        protocol bgp node1 {
          local {{local}} as {{asn}};
          neighbor {{neighbor}} as 65010;
          connect delay time 1; connect retry time 1; error wait time 1, 4;
          ipv4 { import none; export where proto = "rack"; };
        }
        """;

    [SkippableFact]
    public async Task Two_routers_offering_one_prefix_give_a_multipath_route_and_one_withdrawn_leaves_one_next_hop()
    {
        await using var lab = new Topology(output);
        var node = await lab.AddNamespaceAsync("node1");
        var tor1 = await lab.AddNamespaceAsync("tor1");
        var tor2 = await lab.AddNamespaceAsync("tor2");
        await lab.LinkAsync(node, "10.0.53.1/30", tor1, "10.0.53.2/30");
        await lab.LinkAsync(node, "10.0.53.5/30", tor2, "10.0.53.6/30");
        var bird1 = lab.Add(await BirdDaemon.StartAsync(tor1, "10.0.53.2", Bird("10.0.53.2", 65031, "10.0.53.1")));
        lab.Add(await BirdDaemon.StartAsync(tor2, "10.0.53.6", Bird("10.0.53.6", 65032, "10.0.53.5")));

        var dir = TestRun.NewDirectory("ecmp");
        var resources = Path.Combine(dir, "cluster.yaml");
        await File.WriteAllTextAsync(resources, Resources);
        lab.Add(ProcessDaemon.Start(node, "routing-node1", "dotnet",
            [RoutingDll, "agent", "--node", "node1", "--datastore", $"file:{resources}", "--api-socket", Path.Combine(dir, "node1.sock"), "--initial-sync-timeout", "5", "--log-level", "Debug"]));

        var both = await lab.UntilAsync("a route to 10.40.0.0/24 through both routers", async _ =>
            await node.IpAsync("-4", "route", "show", "10.40.0.0/24") is var text && text.Contains("nexthop via 10.0.53.2", StringComparison.Ordinal)
            && text.Contains("nexthop via 10.0.53.6", StringComparison.Ordinal) ? text : null, TimeSpan.FromSeconds(60));
        Assert.Contains("proto 80", both, StringComparison.Ordinal);

        // tor1 stops offering it: the route goes through tor2 alone.
        await bird1.QueryAsync("disable node1");
        var one = await lab.UntilAsync("the route through tor2 alone", async _ =>
            await node.IpAsync("-4", "route", "show", "10.40.0.0/24") is var text && text.Contains("via 10.0.53.6", StringComparison.Ordinal)
            && !text.Contains("10.0.53.2", StringComparison.Ordinal) ? text : null);
        Assert.DoesNotContain("nexthop", one, StringComparison.Ordinal);
    }
}
