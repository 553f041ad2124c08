using System.Text.Json;
using Routing.Agent.Api.Grpc;
using Routing.Agent.Api.V1;
using Routing.TestKit;
using Routing.TestKit.Daemons;
using Routing.TestKit.Namespaces;
using Xunit.Abstractions;

namespace Routing.Interop.Tests.Node;

/// <summary>
/// Two nodes, each a namespace running `routing agent` against one datastore (a shared resource
/// file, or a real etcd the resources were applied to with `routing apply`), in the
/// default full iBGP mesh. Each node's pods take addresses from its own block (IPAM, through the
/// agent's API as the CNI plugin calls it); the agents advertise their blocks to each other and
/// program the kernel: a route to the other node's block via that node, a blackhole for their own.
/// Packets cross on those routes; a stopped agent leaves its routes in place and a restarted one
/// adopts them.
/// </summary>
[Trait("Category", "Netns")]
public sealed class NodeRoutesTests(ITestOutputHelper output)
{
    private static readonly string RoutingDll = Path.Combine(AppContext.BaseDirectory, "routing.dll");

    private const string Resources = """
        apiVersion: routing.dev/v1
        kind: BGPConfiguration
        metadata: {name: default}
        spec: {asNumber: 64512, nodeToNodeMeshEnabled: true}
        ---
        apiVersion: routing.dev/v1
        kind: RoutingNode
        metadata: {name: node1}
        spec: {ipv4Address: 10.0.62.1/24}
        ---
        apiVersion: routing.dev/v1
        kind: RoutingNode
        metadata: {name: node2}
        spec: {ipv4Address: 10.0.62.2/24}
        ---
        apiVersion: routing.dev/v1
        kind: IPPool
        metadata: {name: pods}
        spec: {cidr: 10.246.0.0/16, blockSize: 26}
        """;

    [SkippableTheory]
    [InlineData("file")]
    [InlineData("etcd")]
    public async Task Nodes_advertise_their_blocks_and_program_routes_that_carry_packets_and_survive_an_agent_restart(string datastore)
    {
        await using var lab = new Topology(output);
        var ns1 = await lab.AddNamespaceAsync("node1");
        var ns2 = await lab.AddNamespaceAsync("node2");
        await lab.LinkAsync(ns1, "10.0.62.1/24", ns2, "10.0.62.2/24");

        var dir = TestRun.NewDirectory("node-routes");
        var resources = Path.Combine(dir, "cluster.yaml");
        await File.WriteAllTextAsync(resources, Resources);
        var socket1 = Path.Combine(dir, "node1.sock");
        var socket2 = Path.Combine(dir, "node2.sock");
        var uri = $"file:{resources}";
        if (datastore == "etcd")
        {
            // etcd lives on node1, reachable from node2 across the link.
            lab.Add(await EtcdDaemon.StartAsync(ns1, extraArguments: ["--listen-client-urls", "http://0.0.0.0:2379", "--advertise-client-urls", "http://10.0.62.1:2379"]));
            uri = "etcd:http://10.0.62.1:2379";
            var applied = await ns1.RunAsync("dotnet", [RoutingDll, "apply", "-f", resources, "--datastore", uri], null);
            Assert.True(applied.Succeeded, applied.ToString());
        }

        lab.Add(StartAgent(ns1, "node1", uri, socket1, "routing-node1"));
        var agent2 = lab.Add(StartAgent(ns2, "node2", uri, socket2, "routing-node2"));

        // A pod on each node: its address comes from a block the node claims.
        var pod1 = await AgentProbes.AssignAsync(lab, socket1, "pod-on-node1");
        var pod2 = await AgentProbes.AssignAsync(lab, socket2, "pod-on-node2");
        Assert.NotEqual(pod1.Block, pod2.Block);

        await lab.UntilAsync("each node to route to the other's block and blackhole its own", async _ =>
            await AgentProbes.RoutesAsync(ns1) is var r1 && r1.Contains($"{pod2.Block} via 10.0.62.2") && r1.Contains($"blackhole {pod1.Block}")
            && await AgentProbes.RoutesAsync(ns2) is var r2 && r2.Contains($"{pod1.Block} via 10.0.62.1") && r2.Contains($"blackhole {pod2.Block}"));

        // Packets on those routes: each "pod" address lives on its node's loopback.
        await ns1.IpAsync("address", "add", pod1.Host + "/32", "dev", "lo");
        await ns2.IpAsync("address", "add", pod2.Host + "/32", "dev", "lo");
        await PingAsync(ns1, pod2.Host, "10.0.62.1");
        await PingAsync(ns2, pod1.Host, "10.0.62.2");

        // node2's agent stops: node1 hears the Cease and drops node2's block; node2's own kernel keeps
        // its routes, so its traffic to node1's pod still flows.
        await agent2.Process.StopAsync(TimeSpan.FromSeconds(10));
        await lab.UntilAsync("node1 to drop the route to node2's block", async _ => !(await AgentProbes.RoutesAsync(ns1)).Contains(pod2.Block));
        await Task.Delay(TimeSpan.FromSeconds(1));
        var kept = await AgentProbes.RoutesAsync(ns2);
        Assert.Contains($"{pod1.Block} via 10.0.62.1", kept);
        Assert.Contains($"blackhole {pod2.Block}", kept);
        await PingAsync(ns2, pod1.Host, "10.0.62.2");

        // Restarted, it adopts what it left: the same routes, back on node1 too.
        lab.Add(StartAgent(ns2, "node2", uri, socket2, "routing-node2-again"));
        await lab.UntilAsync("node1 to route to node2's block again", async _ => (await AgentProbes.RoutesAsync(ns1)).Contains($"{pod2.Block} via 10.0.62.2"));
        await PingAsync(ns1, pod2.Host, "10.0.62.1");
        var after = await AgentProbes.RoutesAsync(ns2);
        Assert.Contains($"{pod1.Block} via 10.0.62.1", after);
        Assert.Contains($"blackhole {pod2.Block}", after);
    }

    [SkippableFact]
    public async Task A_node_that_borrows_an_address_from_another_nodes_block_advertises_it_as_a_host_route()
    {
        await using var lab = new Topology(output);
        var ns1 = await lab.AddNamespaceAsync("node1");
        var ns2 = await lab.AddNamespaceAsync("node2");
        await lab.LinkAsync(ns1, "10.0.62.1/24", ns2, "10.0.62.2/24");

        // A pool of one block: node1 claims it, node2 has none left and borrows from it.
        var dir = TestRun.NewDirectory("node-borrow");
        var resources = Path.Combine(dir, "cluster.yaml");
        await File.WriteAllTextAsync(resources, Resources.Replace("cidr: 10.246.0.0/16", "cidr: 10.247.0.0/26", StringComparison.Ordinal));
        var socket1 = Path.Combine(dir, "node1.sock");
        var socket2 = Path.Combine(dir, "node2.sock");
        lab.Add(StartAgent(ns1, "node1", $"file:{resources}", socket1, "routing-node1"));
        lab.Add(StartAgent(ns2, "node2", $"file:{resources}", socket2, "routing-node2"));

        var pod1 = await AgentProbes.AssignAsync(lab, socket1, "pod-on-node1");
        var pod2 = await AgentProbes.AssignAsync(lab, socket2, "pod-on-node2");
        Assert.Equal("10.247.0.0/26", pod1.Block);
        Assert.Equal(pod1.Block, pod2.Block);

        // node1 owns the block (blackhole) and routes node2's borrowed address to node2; node2 routes
        // the block to node1, and its own pod's address stays local.
        await lab.UntilAsync("node1 to route node2's borrowed address to node2", async _ =>
            await AgentProbes.RoutesAsync(ns1) is var r1 && r1.Contains($"{pod2.Host} via 10.0.62.2") && r1.Contains($"blackhole {pod1.Block}")
            && (await AgentProbes.RoutesAsync(ns2)).Contains($"{pod1.Block} via 10.0.62.1"));
        Assert.DoesNotContain(pod2.Host, await AgentProbes.RoutesAsync(ns2));

        await ns1.IpAsync("address", "add", pod1.Host + "/32", "dev", "lo");
        await ns2.IpAsync("address", "add", pod2.Host + "/32", "dev", "lo");
        await PingAsync(ns1, pod2.Host, pod1.Host);
        await PingAsync(ns2, pod1.Host, pod2.Host);
    }

    private static ProcessDaemon StartAgent(NetNs ns, string node, string datastore, string socket, string name) =>
        ProcessDaemon.Start(ns, name, "dotnet", [RoutingDll, "agent", "--node", node, "--datastore", datastore, "--api-socket", socket, "--initial-sync-timeout", "5", "--log-level", "Debug"]);

    private static async Task PingAsync(NetNs from, string address, string source)
    {
        var result = await from.RunAsync("ping", "-c", "1", "-W", "2", "-I", source, address);
        Assert.True(result.Succeeded, $"ping {address} from {from}: {result}");
    }
}
