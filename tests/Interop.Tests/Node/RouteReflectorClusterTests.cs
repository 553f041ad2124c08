using System.Globalization;
using System.Text;
using System.Text.Json;
using Routing.Agent.Api.Grpc;
using Routing.Agent.Api.V1;
using Routing.TestKit;
using Routing.TestKit.Daemons;
using Routing.TestKit.Namespaces;
using Xunit.Abstractions;

namespace Routing.Interop.Tests.Node;

/// <summary>
/// A route-reflector cluster as Calico builds one, each node a namespace running `routing agent`
/// on one LAN (a bridge), all reading one resource file: the node-to-node mesh off, two route
/// reflectors (one cluster ID), client nodes that peer only with them through a BGPPeer with a
/// peerSelector, and a BIRD router that peers with the reflectors. Every node routes to every
/// other node's block via that node, and packets cross. A node added to the file (and its agent
/// started) gets its block everywhere; deleted from the file, its block and sessions go.
/// </summary>
[Trait("Category", "Netns")]
public sealed class RouteReflectorClusterTests(ITestOutputHelper output)
{
    private const string Subnet = "10.0.72";
    private const string RouterAddress = Subnet + ".254";
    private static readonly string RoutingDll = Path.Combine(AppContext.BaseDirectory, "routing.dll");

    private static readonly (string Name, int Host, bool Reflector)[] InitialNodes =
        [("rr1", 1, true), ("rr2", 2, true), ("node1", 11, false), ("node2", 12, false), ("node3", 13, false)];

    private static string Resources(IEnumerable<(string Name, int Host, bool Reflector)> nodes)
    {
        var yaml = new StringBuilder($$"""
            apiVersion: routing.dev/v1
            kind: BGPConfiguration
            metadata: {name: default}
            spec: {asNumber: 64512, nodeToNodeMeshEnabled: false}
            ---
            apiVersion: routing.dev/v1
            kind: IPPool
            metadata: {name: pods}
            spec: {cidr: 10.247.0.0/16, blockSize: 26}
            ---
            apiVersion: routing.dev/v1
            kind: BGPPeer
            metadata: {name: peer-with-route-reflectors}
            spec: {nodeSelector: all(), peerSelector: has(route-reflector), holdTime: 9s}
            ---
            apiVersion: routing.dev/v1
            kind: BGPPeer
            metadata: {name: router}
            spec: {peerIP: {{RouterAddress}}, asNumber: 64512, nodeSelector: has(route-reflector), holdTime: 9s}

            """);
        foreach (var (name, host, reflector) in nodes)
        {
            yaml.Append(CultureInfo.InvariantCulture, $"""
                ---
                apiVersion: routing.dev/v1
                kind: RoutingNode
                metadata: {"{"}name: {name}{(reflector ? ", labels: {route-reflector: \"true\"}" : string.Empty)}{"}"}
                spec: {"{"}ipv4Address: {Subnet}.{host}/24{(reflector ? ", routeReflectorClusterID: 10.255.0.1" : string.Empty)}{"}"}

                """);
        }

        return yaml.ToString();
    }

    private static string RouterConfig() => string.Concat(Enumerable.Range(1, 2).Select(host => $$"""
        protocol bgp rr{{host}} {
          local {{RouterAddress}} as 64512;
          neighbor {{Subnet}}.{{host}} as 64512;
          direct;
          connect delay time 1;
          connect retry time 1;
          error wait time 1, 4;
          ipv4 { import all; export none; gateway direct; };
        }

        """));

    [SkippableFact]
    public async Task Clients_learn_every_block_through_the_reflectors_and_a_node_added_then_deleted_comes_and_goes_everywhere()
    {
        await using var lab = new Topology(output);
        var lan = await lab.AddNamespaceAsync("lan");
        await lan.IpAsync("link", "add", "br0", "type", "bridge");
        await lan.SetUpAsync("br0");

        var dir = TestRun.NewDirectory("route-reflectors");
        var resources = Path.Combine(dir, "cluster.yaml");
        await WriteAtomicallyAsync(resources, Resources(InitialNodes));
        var uri = $"file:{resources}";

        var router = await lab.AddNamespaceAsync("router");
        await AttachAsync(lan, router, RouterAddress);
        var bird = lab.Add(await BirdDaemon.StartAsync(router, RouterAddress, RouterConfig()));

        var nodes = new Dictionary<string, ClusterNode>();
        foreach (var (name, host, _) in InitialNodes)
        {
            nodes[name] = await StartNodeAsync(lab, lan, dir, uri, name, host);
        }

        foreach (var node in nodes.Values)
        {
            node.Pod = await AgentProbes.AssignAsync(lab, node.Socket, $"pod-on-{node.Name}", TimeSpan.FromSeconds(60));
        }

        await UntilEveryNodeRoutesToEveryBlockAsync(lab, nodes.Values);
        await lab.UntilAsync("the router to learn every block", async _ =>
            await bird.RoutePrefixesAsync() is var prefixes && nodes.Values.All(n => prefixes.Contains(n.Pod!.Value.Block)));

        // No client-to-client sessions: a client's neighbours are the reflectors, a reflector's are everyone.
        await UntilPeersAsync(lab, nodes["node1"], [$"{Subnet}.1", $"{Subnet}.2"]);
        await UntilPeersAsync(lab, nodes["rr1"], [$"{Subnet}.11", $"{Subnet}.12", $"{Subnet}.13", $"{Subnet}.2", RouterAddress]);

        // Packets between clients, on routes learned only through the reflectors.
        foreach (var node in nodes.Values)
        {
            await node.Ns.IpAsync("address", "add", node.Pod!.Value.Host + "/32", "dev", "lo");
        }

        await PingAsync(nodes["node1"], nodes["node3"]);
        await PingAsync(nodes["node3"], nodes["rr2"]);

        // A node joins: in the file, and its agent started.
        var joined = InitialNodes.Append(("node4", 14, false)).ToArray();
        await WriteAtomicallyAsync(resources, Resources(joined));
        var node4 = nodes["node4"] = await StartNodeAsync(lab, lan, dir, uri, "node4", 14);
        node4.Pod = await AgentProbes.AssignAsync(lab, node4.Socket, "pod-on-node4", TimeSpan.FromSeconds(60));
        await node4.Ns.IpAsync("address", "add", node4.Pod.Value.Host + "/32", "dev", "lo");
        await UntilEveryNodeRoutesToEveryBlockAsync(lab, nodes.Values);
        await lab.UntilAsync("the router to learn node4's block", async _ => (await bird.RoutePrefixesAsync()).Contains(node4.Pod.Value.Block));
        await PingAsync(nodes["node1"], node4);

        // It is deleted from the file while its agent still runs: the reflectors drop its sessions, and
        // its block leaves every other node and the router.
        await WriteAtomicallyAsync(resources, Resources(InitialNodes));
        await lab.UntilAsync("node4's block to leave every other node and the router", async _ =>
        {
            foreach (var node in nodes.Values.Where(n => n != node4))
            {
                if ((await AgentProbes.RoutesAsync(node.Ns)).Contains(node4.Pod.Value.Block, StringComparison.Ordinal))
                {
                    return false;
                }
            }

            return !(await bird.RoutePrefixesAsync()).Contains(node4.Pod.Value.Block);
        });
        foreach (var reflector in new[] { nodes["rr1"], nodes["rr2"] })
        {
            Assert.DoesNotContain($"{Subnet}.14", (await StatusAsync(lab, reflector)).Peers.Select(p => p.Address));
        }

        await UntilEveryNodeRoutesToEveryBlockAsync(lab, nodes.Values.Where(n => n != node4).ToArray());
    }

    private sealed class ClusterNode(string name, NetNs ns, string address, string socket)
    {
        public string Name { get; } = name;

        public NetNs Ns { get; } = ns;

        public string Address { get; } = address;

        public string Socket { get; } = socket;

        public (string Host, string Block)? Pod { get; set; }
    }

    private static async Task<ClusterNode> StartNodeAsync(Topology lab, NetNs lan, string dir, string uri, string name, int host)
    {
        var ns = await lab.AddNamespaceAsync(name);
        var address = $"{Subnet}.{host}";
        await AttachAsync(lan, ns, address);
        var socket = Path.Combine(dir, $"{name}.sock");
        lab.Add(ProcessDaemon.Start(ns, $"routing-{name}", "dotnet", [RoutingDll, "agent", "--node", name, "--datastore", uri, "--api-socket", socket, "--initial-sync-timeout", "5", "--log-level", "Debug"]));
        return new ClusterNode(name, ns, address, socket);
    }

    /// <summary>Puts <paramref name="ns"/> on the LAN's bridge with <paramref name="address"/>/24.</summary>
    private static async Task AttachAsync(NetNs lan, NetNs ns, string address)
    {
        var link = await VethPair.CreateAsync(lan, ns);
        await lan.IpAsync("link", "set", link.AName, "master", "br0");
        await ns.AddAddressAsync(link.BName, $"{address}/24");
    }

    /// <summary>Replaces the file in one rename, so an agent never reads half of it.</summary>
    private static async Task WriteAtomicallyAsync(string path, string text)
    {
        var temporary = path + ".new";
        await File.WriteAllTextAsync(temporary, text);
        File.Move(temporary, path, overwrite: true);
    }

    private static Task UntilEveryNodeRoutesToEveryBlockAsync(Topology lab, IReadOnlyCollection<ClusterNode> nodes) =>
        lab.UntilAsync("every node to route to every other node's block via that node", async _ =>
        {
            foreach (var node in nodes)
            {
                var routes = await AgentProbes.RoutesAsync(node.Ns);
                foreach (var other in nodes)
                {
                    var wanted = other == node ? $"blackhole {other.Pod!.Value.Block}" : $"{other.Pod!.Value.Block} via {other.Address}";
                    if (!routes.Split('\n').Contains(wanted))
                    {
                        return false;
                    }
                }
            }

            return true;
        }, TimeSpan.FromSeconds(60));

    private static async Task<GetBgpStatusResponse> StatusAsync(Topology lab, ClusterNode node) =>
        await lab.UntilAsync($"{node.Name}'s agent to answer", async cancellationToken =>
        {
            using var client = new GrpcConnection(node.Socket);
            return await client.UnaryAsync(AgentProbes.Service + "GetBgpStatus", new GetBgpStatusRequest(), GetBgpStatusResponse.Parser, cancellationToken);
        });

    /// <summary>Waits until the node's sessions are exactly <paramref name="peers"/> (configured ones included), all Established.</summary>
    private static Task UntilPeersAsync(Topology lab, ClusterNode node, string[] peers) =>
        lab.UntilAsync($"{node.Name}'s sessions to be exactly {string.Join(", ", peers)}, all Established", async _ =>
        {
            var status = await StatusAsync(lab, node);
            return status.Peers.All(p => p.State == "Established") && status.Peers.Select(p => p.Address).Order(StringComparer.Ordinal).SequenceEqual(peers);
        });

    private static async Task PingAsync(ClusterNode from, ClusterNode to)
    {
        var result = await from.Ns.RunAsync("ping", "-c", "1", "-W", "2", "-I", from.Pod!.Value.Host, to.Pod!.Value.Host);
        Assert.True(result.Succeeded, $"ping {to.Name}'s pod {to.Pod.Value.Host} from {from.Name}'s pod: {result}");
    }
}
