using System.Text.Json;
using Routing.TestKit;
using Routing.TestKit.Daemons;
using Routing.TestKit.Namespaces;
using Routing.TestKit.Processes;
using Xunit.Abstractions;

namespace Routing.Interop.Tests.Bgp;

/// <summary>
/// `routing agent` as a process in a node namespace, configured from a YAML file, peering with BIRD
/// as the top-of-rack router; read back with `routing status` and `routing bgp routes`.
/// </summary>
[Trait("Category", "Netns")]
public sealed class AgentWithBirdTests(ITestOutputHelper output)
{
    private static readonly string RoutingDll = Path.Combine(AppContext.BaseDirectory, "routing.dll");

    private static string Resources(string advertise, string peerAs = "65030") => $$"""
        apiVersion: routing.dev/v1
        kind: BGPConfiguration
        metadata:
          name: default
        spec:
          asNumber: 65010
          nodeToNodeMeshEnabled: true
        ---
        apiVersion: routing.dev/v1
        kind: RoutingNode
        metadata:
          name: node1
        spec:
          ipv4Address: 10.0.51.1/30
          ipv6Address: fd00:51::1/64
          advertise: [{{advertise}}]
        ---
        apiVersion: routing.dev/v1
        kind: BGPPeer
        metadata:
          name: tor
        spec:
          peerIP: 10.0.51.2
          asNumber: {{peerAs}}
          holdTime: 9s
          keepaliveTime: 3s
        """;

    private static async Task<string> Cli(string socket, params string[] args)
    {
        var result = await Command.RunAsync("dotnet", [RoutingDll, .. args, "--socket", socket], null);
        return result.EnsureSuccess().StandardOutput;
    }

    [SkippableFact]
    public async Task The_agent_peers_with_a_ToR_from_its_resource_file_and_reports_it()
    {
        await using var lab = new Topology(output);
        var nodeNs = await lab.AddNamespaceAsync("node1");
        var torNs = await lab.AddNamespaceAsync("tor");
        var link = await lab.LinkAsync(nodeNs, "10.0.51.1/30", torNs, "10.0.51.2/30");
        await nodeNs.IpAsync("address", "add", "fd00:51::1/64", "dev", link.AName, "nodad");
        await torNs.IpAsync("address", "add", "fd00:51::2/64", "dev", link.BName!, "nodad");

        var bird = lab.Add(await BirdDaemon.StartAsync(torNs, "10.0.51.2", $$"""
            {{BirdDaemon.StaticRoutes("rack4", ["10.40.0.0/24"])}}
            protocol bgp node1 {
              local 10.0.51.2 as 65030;
              neighbor 10.0.51.1 as 65010;
              hold time 9;
              connect delay time 1;
              connect retry time 1;
              error wait time 1, 4;
              ipv4 { import all; export where proto = "rack4"; };
              ipv6 { import all; export none; next hop address fd00:51::2; };
            }
            """));

        var dir = TestRun.NewDirectory("agent-node1");
        var resources = Path.Combine(dir, "cluster.yaml");
        var socket = Path.Combine(dir, "agent.sock");
        await File.WriteAllTextAsync(resources, Resources("10.20.0.0/26, fd00:20::/122"));
        lab.Add(ProcessDaemon.Start(nodeNs, "routing-agent", "dotnet", [RoutingDll, "agent", "--node", "node1", "--datastore", $"file:{resources}", "--api-socket", socket, "--log-level", "Debug"]));

        await lab.UntilAsync("BIRD's session with the agent to be Established", async _ => await bird.ProtocolStateAsync("node1") == "Established");
        await lab.UntilAsync("the agent's prefixes in BIRD", async _ =>
            (await bird.RoutePrefixesAsync("node1")) is var routes && routes.Contains("10.20.0.0/26") && routes.Contains("fd00:20::/122"));

        // routing status: the calicoctl-style table.
        var status = await lab.UntilAsync("routing status to show the peer up", async _ =>
            await Cli(socket, "status") is var text && text.Contains("| 10.0.51.2 ", StringComparison.Ordinal) && text.Contains(" up ", StringComparison.Ordinal) ? text : null);
        Assert.Contains("global", status, StringComparison.Ordinal);
        Assert.Contains("Established", status, StringComparison.Ordinal);
        Assert.Contains("node node1 (AS 65010, router ID 10.0.51.1)", status, StringComparison.Ordinal);

        // routing bgp routes: the ToR's route, with the reason it is best; JSON too.
        var routes = await lab.UntilAsync("routing bgp routes to show 10.40.0.0/24", async _ =>
            await Cli(socket, "bgp", "routes", "--prefix", "10.40.0.0/16") is var text && text.Contains("10.40.0.0/24", StringComparison.Ordinal) ? text : null);
        Assert.Contains("10.0.51.2", routes, StringComparison.Ordinal);
        Assert.Contains("65030", routes, StringComparison.Ordinal);
        Assert.Contains("OnlyPath", routes, StringComparison.Ordinal);
        using (var json = JsonDocument.Parse(await Cli(socket, "bgp", "routes", "-o", "json")))
        {
            var prefixes = json.RootElement.GetProperty("routes").EnumerateArray().Select(r => r.GetProperty("prefix").GetString()).ToArray();
            Assert.Contains("10.40.0.0/24", prefixes);
            Assert.Contains("10.20.0.0/26", prefixes);
        }

        // An edit adds a prefix without resetting the session.
        await File.WriteAllTextAsync(resources, Resources("10.20.0.0/26, 10.20.1.0/26, fd00:20::/122"));
        await lab.UntilAsync("the new prefix in BIRD", async _ => (await bird.RoutePrefixesAsync("node1")).Contains("10.20.1.0/26"));
        using (var json = JsonDocument.Parse(await Cli(socket, "bgp", "peers", "-o", "json")))
        {
            var peer = json.RootElement.GetProperty("peers")[0];
            Assert.Equal("Established", peer.GetProperty("state").GetString());
            Assert.Equal(1, peer.GetProperty("establishedTransitions").GetInt32());
        }

        // A broken edit is refused and the last good configuration stays in force.
        await File.WriteAllTextAsync(resources, Resources("10.20.0.0/26", peerAs: "not-a-number"));
        await Task.Delay(1500);
        Assert.Contains("10.20.1.0/26", await bird.RoutePrefixesAsync("node1"));
        Assert.Contains("| 10.0.51.2 ", await Cli(socket, "status"), StringComparison.Ordinal);

        // The CLI without an agent says so plainly.
        var missing = await Command.RunAsync("dotnet", [RoutingDll, "status", "--socket", Path.Combine(dir, "none.sock")], null);
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("no agent API socket", missing.StandardError, StringComparison.Ordinal);
    }
}
