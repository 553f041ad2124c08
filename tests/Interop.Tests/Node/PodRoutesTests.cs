using System.Globalization;
using Routing.Agent.Api.Grpc;
using Routing.Agent.Api.V1;
using Routing.Agent.PolicyRules;
using Routing.TestKit;
using Routing.TestKit.Daemons;
using Routing.TestKit.Namespaces;
using Xunit.Abstractions;

namespace Routing.Interop.Tests.Node;

/// <summary>
/// The agent keeps a host route to each of its node's pods, out of the pod's host-side veth (named
/// as routing-cni names it from the pod's namespace and name, which IPAM recorded at ADD): a route
/// deleted by hand comes back, a released pod's route goes, and a pod route it knows nothing of
/// (the plugin's, before the agent saw the allocation) is left alone.
/// </summary>
[Trait("Category", "Netns")]
public sealed class PodRoutesTests(ITestOutputHelper output)
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
        spec: {ipv4Address: 10.0.63.1/24}
        ---
        apiVersion: routing.dev/v1
        kind: IPPool
        metadata: {name: pods}
        spec: {cidr: 10.248.0.0/16, blockSize: 26}
        """;

    [SkippableFact]
    public async Task The_agent_repairs_a_deleted_pod_route_and_removes_a_released_pods_route()
    {
        await using var lab = new Topology(output);
        var node = await lab.AddNamespaceAsync("node1");
        var pod = await lab.AddNamespaceAsync("pod");
        await lab.LinkAsync(node, "10.0.63.1/24", await lab.AddNamespaceAsync("peer"), "10.0.63.2/24");

        var dir = TestRun.NewDirectory("pod-routes");
        var resources = Path.Combine(dir, "cluster.yaml");
        await File.WriteAllTextAsync(resources, Resources);
        var socket = Path.Combine(dir, "node1.sock");
        lab.Add(ProcessDaemon.Start(node, "routing-node1", "dotnet", [RoutingDll, "agent", "--node", "node1", "--datastore", $"file:{resources}", "--api-socket", socket, "--initial-sync-timeout", "1", "--log-level", "Debug"]));

        // The pod's veth, its host side named as the CNI plugin names it.
        const string Handle = "pod-routes-web";
        var veth = PodInterfaceName.For("default", Handle);
        await VethPair.CreateAsync(node, pod, veth, "eth0");
        await node.IpAsync("link", "set", veth, "up");
        var address = await AgentProbes.AssignAsync(lab, socket, Handle);

        await lab.UntilAsync("the agent to route the pod's address to its veth", async _ => (await PodRoutesAsync(node, veth)).Contains(address.Host + " "));

        // A pod route the agent knows nothing of (as the plugin makes it at ADD) is not the agent's to remove.
        await node.IpAsync("route", "add", "10.248.99.9/32", "dev", veth, "proto", "80", "scope", "link");

        // Deleted by hand: put back.
        await node.IpAsync("route", "del", address.Host + "/32", "dev", veth);
        await lab.UntilAsync("the agent to put the deleted pod route back", async _ => (await PodRoutesAsync(node, veth)).Contains(address.Host + " "));

        // The pod's address released (the pod is gone): its route goes, though the interface is still there.
        using (var client = new GrpcConnection(socket))
        {
            await client.UnaryAsync(AgentProbes.Service + "IpamRelease", new IpamReleaseRequest { HandleId = Handle }, IpamReleaseResponse.Parser, CancellationToken.None);
        }

        await lab.UntilAsync("the released pod's route to go", async _ => !(await PodRoutesAsync(node, veth)).Contains(address.Host + " "));
        Assert.Contains("10.248.99.9 ", await PodRoutesAsync(node, veth));
    }

    private static async Task<string> PodRoutesAsync(NetNs ns, string device) =>
        await ns.IpAsync("-4", "route", "show", "proto", 80.ToString(CultureInfo.InvariantCulture), "dev", device);
}
