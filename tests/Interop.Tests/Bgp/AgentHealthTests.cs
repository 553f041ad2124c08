using System.Net;
using Routing.TestKit;
using Routing.TestKit.Daemons;
using Routing.TestKit.Namespaces;
using Routing.TestKit.Processes;
using Xunit.Abstractions;

namespace Routing.Interop.Tests.Bgp;

/// <summary>
/// The agent's health and metrics listener (<c>--metrics</c>), as a kubelet's probes and Prometheus
/// see it: not ready while its top-of-rack peer is missing and the kernel not synced, ready once the
/// session is up and its table is in the kernel; the session, prefixes, route applies and IPAM in
/// /metrics; the same parts in <c>routing status</c>.
/// </summary>
[Trait("Category", "Netns")]
public sealed class AgentHealthTests(ITestOutputHelper output)
{
    private static readonly string RoutingDll = Path.Combine(AppContext.BaseDirectory, "routing.dll");

    private const string Resources = """
        apiVersion: routing.dev/v1
        kind: BGPConfiguration
        metadata:
          name: default
        spec:
          asNumber: 65010
        ---
        apiVersion: routing.dev/v1
        kind: RoutingNode
        metadata:
          name: node1
        spec:
          ipv4Address: 10.0.52.1/30
        ---
        apiVersion: routing.dev/v1
        kind: BGPPeer
        metadata:
          name: tor
        spec:
          peerIP: 10.0.52.2
          asNumber: 65030
          holdTime: 9s
          keepaliveTime: 3s
        ---
        apiVersion: routing.dev/v1
        kind: IPPool
        metadata:
          name: pods
        spec:
          cidr: 10.52.0.0/24
          blockSize: 26
        """;

    [SkippableFact]
    public async Task Readyz_follows_the_peer_and_the_kernel_and_metrics_show_the_session()
    {
        await using var lab = new Topology(output);
        var nodeNs = await lab.AddNamespaceAsync("node1");
        var torNs = await lab.AddNamespaceAsync("tor");
        await lab.LinkAsync(nodeNs, "10.0.52.1/30", torNs, "10.0.52.2/30");
        await nodeNs.IpAsync("link", "set", "lo", "up");

        var dir = TestRun.NewDirectory("agent-health");
        var resources = Path.Combine(dir, "cluster.yaml");
        var socket = Path.Combine(dir, "agent.sock");
        await File.WriteAllTextAsync(resources, Resources);
        lab.Add(ProcessDaemon.Start(nodeNs, "routing-agent", "dotnet",
            [RoutingDll, "agent", "--node", "node1", "--datastore", $"file:{resources}", "--api-socket", socket, "--metrics", "127.0.0.1:9091", "--initial-sync-timeout", "300"]));
        using var http = NamespaceHttp.ClientIn(nodeNs);

        // Alive at once; not ready: the ToR refuses connections (a shown reason: the BGP part is
        // fine as far as readiness goes), but the kernel waits for the peer's table.
        var live = await lab.UntilAsync("/livez to answer", async ct => await TryGetAsync(http, "/livez", ct));
        Assert.Equal(HttpStatusCode.OK, live.Status);
        Assert.Contains("[+]agent ok", live.Body, StringComparison.Ordinal);
        var notReady = await lab.UntilAsync("/readyz to show the refused connection", async ct =>
            await TryGetAsync(http, "/readyz", ct) is { } r && r.Body.Contains("failing: 10.0.52.2", StringComparison.Ordinal)
                && r.Body.Contains("[+]datastore ok", StringComparison.Ordinal) ? r : null);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, notReady.Status);
        Assert.Contains("[-]kernel-routes not ready: waiting for the peers' initial tables", notReady.Body, StringComparison.Ordinal);
        Assert.Contains("[+]bgp ok: 0/1 sessions established", notReady.Body, StringComparison.Ordinal);
        Assert.EndsWith("readyz check failed\n", notReady.Body, StringComparison.Ordinal);

        // The ToR comes: session up, its table in, the kernel synced: ready.
        lab.Add(await BirdDaemon.StartAsync(torNs, "10.0.52.2", $$"""
            {{BirdDaemon.StaticRoutes("rack", ["10.40.0.0/24", "10.41.0.0/24"])}}
            protocol bgp node1 {
              local 10.0.52.2 as 65030;
              neighbor 10.0.52.1 as 65010;
              hold time 9;
              connect delay time 1;
              connect retry time 1;
              ipv4 { import all; export where proto = "rack"; };
            }
            """));
        var ready = await lab.UntilAsync("/readyz to pass", async ct =>
            await TryGetAsync(http, "/readyz", ct) is { Status: HttpStatusCode.OK } r ? r : null, TimeSpan.FromSeconds(60));
        Assert.Contains("[+]bgp ok: 1/1 sessions established", ready.Body, StringComparison.Ordinal);
        Assert.Contains("[+]kernel-routes ok: in sync", ready.Body, StringComparison.Ordinal);
        Assert.Matches(@"10\.40\.0\.0/24 nhid \d+ via 10\.0\.52\.2", await nodeNs.IpAsync("route", "show", "10.40.0.0/24"));

        var metrics = await lab.UntilAsync("/metrics to show the IPAM pool", async ct =>
            await TryGetAsync(http, "/metrics", ct) is { } r && r.Body.Contains("routing_ipam_pool_addresses{", StringComparison.Ordinal) ? r.Body : null);
        const string Peer = "{peer=\"10.0.52.2\",peer_as=\"65030\",peer_type=\"global\"}";
        Assert.Contains($"routing_bgp_session_established{Peer} 1\n", metrics, StringComparison.Ordinal);
        Assert.Contains($"routing_bgp_session_state{Peer} 6\n", metrics, StringComparison.Ordinal);
        Assert.Contains($"routing_bgp_prefixes_received{Peer} 2\n", metrics, StringComparison.Ordinal);
        Assert.Contains("# TYPE routing_bgp_established_transitions_total counter\n", metrics, StringComparison.Ordinal);
        Assert.Contains("# TYPE routing_route_apply_duration_seconds histogram\n", metrics, StringComparison.Ordinal);
        Assert.Contains("routing_route_apply_duration_seconds_count{full_resync=\"true\"}", metrics, StringComparison.Ordinal);
        Assert.Contains("routing_route_changes_total{operation=\"add\"}", metrics, StringComparison.Ordinal);
        Assert.Contains("routing_ready{component=\"bgp\"} 1\n", metrics, StringComparison.Ordinal);
        Assert.Contains("routing_ipam_pool_addresses{pool=\"pods\"} 256\n", metrics, StringComparison.Ordinal);

        // routing status: the same parts at a glance.
        var status = (await Command.RunAsync("dotnet", [RoutingDll, "status", "--socket", socket], null)).EnsureSuccess().StandardOutput;
        Assert.Contains("Ready.", status, StringComparison.Ordinal);
        Assert.Contains("+ bgp: 1/1 sessions established", status, StringComparison.Ordinal);
        Assert.Contains("+ kernel-routes: in sync", status, StringComparison.Ordinal);
    }

    private static async Task<Answer?> TryGetAsync(HttpClient http, string path, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await http.GetAsync(new Uri($"http://127.0.0.1:9091{path}"), cancellationToken);
            return new Answer(response.StatusCode, await response.Content.ReadAsStringAsync(cancellationToken));
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    private sealed record Answer(HttpStatusCode Status, string Body);
}
