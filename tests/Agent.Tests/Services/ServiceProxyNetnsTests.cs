#pragma warning disable CA1861 // The documents are written inline, once per test, to read like YAML.
using System.Net;
using System.Net.Sockets;
using Routing.Agent.Services.Reading;
using Routing.TestKit.Namespaces;
using static Routing.Agent.Tests.Services.ServiceDocuments;

namespace Routing.Agent.Tests.Services;

/// <summary>
/// The service proxy with real iptables in a node namespace: pods, a client pod and a router reach
/// services by cluster IP and node port. Each test uses services of its own.
/// </summary>
[Trait("Category", "Netns")]
public sealed class ServiceProxyNetnsTests(ServiceNetwork network) : IClassFixture<ServiceNetwork>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    private static object Pod(int pod, string node = "node1", bool ready = true) => Endpoint(ServiceNetwork.PodAddress(pod), node, ready);

    private Task ServiceAsync(string name, object spec) => network.PutAsync(ServiceResourceReader.ServiceKind, name, Service(name, spec));

    private Task EndpointsAsync(string name, params object[] endpoints) =>
        network.PutAsync(ServiceResourceReader.EndpointSliceKind, name + "-abc", Slice(name, endpoints, [SlicePort(8080, "http"), SlicePort(5353, "dns", "UDP")]));

    private static object[] Ports(int? nodePort = null) => [Port(80, "http", targetPort: 8080, nodePort: nodePort), Port(53, "dns", "UDP", 5353)];

    private static async Task UntilAsync(string what, Func<Task<bool>> condition)
    {
        await using var waiting = new Topology();
        await waiting.UntilAsync(what, _ => condition(), Wait);
    }

    [SkippableFact]
    public async Task Pods_reach_a_cluster_IP_over_TCP_and_UDP_spread_over_every_endpoint()
    {
        await network.StartAsync();
        await ServiceAsync("spread", new { clusterIP = "10.96.0.10", ports = Ports() });
        await EndpointsAsync("spread", Pod(1), Pod(2), Pod(3));

        await UntilAsync("the cluster IP answers", async () => (await ServiceNetwork.TcpAsync(network.Client, "10.96.0.10", 80, 1)).StartsWith('p'));
        var seen = new HashSet<string>();
        for (var i = 0; i < 40 && seen.Count < 3; i++)
        {
            var answer = await ServiceNetwork.TcpAsync(network.Client, "10.96.0.10", 80);
            Assert.EndsWith(" " + ServiceNetwork.ClientAddress, answer, StringComparison.Ordinal);
            seen.Add(answer.Split(' ')[0]);
        }

        Assert.Equal(["p1", "p2", "p3"], seen.Order());
        using var udp = network.Client.CreateSocket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        await udp.ConnectAsync(IPAddress.Parse("10.96.0.10"), 53);
        Assert.Matches("^p[123]$", await ServiceNetwork.UdpAsync(udp));
        // The node itself reaches it too (nat OUTPUT).
        Assert.StartsWith("p", await ServiceNetwork.TcpAsync(network.Node, "10.96.0.10", 80), StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task A_pod_reaches_itself_through_its_service_and_other_pods_keep_their_address()
    {
        await network.StartAsync();
        await ServiceAsync("hairpin", new { clusterIP = "10.96.0.16", ports = Ports() });
        await EndpointsAsync("hairpin", Pod(1));

        // Hairpin: p1's connection comes back to p1, masqueraded, so p1's answer goes back through the node.
        await UntilAsync("p1 reaches itself by the cluster IP", async () => (await ServiceNetwork.TcpAsync(network.Pods[0], "10.96.0.16", 80, 1)).StartsWith("p1 ", StringComparison.Ordinal));
        var answer = await ServiceNetwork.TcpAsync(network.Pods[0], "10.96.0.16", 80);
        Assert.StartsWith("p1 ", answer, StringComparison.Ordinal);
        Assert.NotEqual("p1 " + ServiceNetwork.PodAddress(1), answer);
        // Another pod is not masqueraded: p1 sees p2's own address.
        Assert.Equal("p1 " + ServiceNetwork.PodAddress(2), await ServiceNetwork.TcpAsync(network.Pods[1], "10.96.0.16", 80));
    }

    [SkippableFact]
    public async Task Client_IP_affinity_keeps_a_client_on_one_endpoint()
    {
        await network.StartAsync();
        await ServiceAsync("sticky", new { clusterIP = "10.96.0.11", ports = Ports(), sessionAffinity = "ClientIP", sessionAffinityConfig = new { clientIP = new { timeoutSeconds = 60 } } });
        await EndpointsAsync("sticky", Pod(1), Pod(2), Pod(3));

        await UntilAsync("the cluster IP answers", async () => (await ServiceNetwork.TcpAsync(network.Client, "10.96.0.11", 80, 1)).StartsWith('p'));
        var first = await ServiceNetwork.TcpAsync(network.Client, "10.96.0.11", 80);
        for (var i = 0; i < 15; i++)
        {
            Assert.Equal(first, await ServiceNetwork.TcpAsync(network.Client, "10.96.0.11", 80));
        }
    }

    [SkippableFact]
    public async Task A_node_port_answers_a_router_outside_the_cluster_masqueraded()
    {
        await network.StartAsync();
        await ServiceAsync("nodeport", new { type = "NodePort", clusterIP = "10.96.0.12", ports = Ports(30080) });
        await EndpointsAsync("nodeport", Pod(1), Pod(2));

        await UntilAsync("the node port answers", async () => (await ServiceNetwork.TcpAsync(network.Router, ServiceNetwork.NodeAddress, 30080, 1)).StartsWith('p'));
        for (var i = 0; i < 5; i++)
        {
            var answer = (await ServiceNetwork.TcpAsync(network.Router, ServiceNetwork.NodeAddress, 30080)).Split(' ');
            Assert.Matches("^p[12]$", answer[0]);
            Assert.NotEqual(ServiceNetwork.RouterAddress, answer[1]);
        }
    }

    [SkippableFact]
    public async Task External_traffic_policy_Local_keeps_the_client_address_and_uses_only_local_endpoints()
    {
        await network.StartAsync();
        await ServiceAsync("local", new { type = "NodePort", clusterIP = "10.96.0.13", externalIPs = new[] { "192.0.2.13" }, ports = Ports(30081), externalTrafficPolicy = "Local" });
        // p2 and p3 stand for endpoints on another node here: they must not be used from outside.
        await EndpointsAsync("local", Pod(1), Pod(2, "node2"), Pod(3, "node2"));
        await network.Router.IpAsync("route", "add", "192.0.2.13/32", "via", ServiceNetwork.NodeAddress);

        await UntilAsync("the node port answers", async () => (await ServiceNetwork.TcpAsync(network.Router, ServiceNetwork.NodeAddress, 30081, 1)).StartsWith('p'));
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal($"p1 {ServiceNetwork.RouterAddress}", await ServiceNetwork.TcpAsync(network.Router, ServiceNetwork.NodeAddress, 30081));
            Assert.Equal($"p1 {ServiceNetwork.RouterAddress}", await ServiceNetwork.TcpAsync(network.Router, "192.0.2.13", 80));
        }
    }

    [SkippableFact]
    public async Task A_service_without_endpoints_refuses_connections()
    {
        await network.StartAsync();
        await ServiceAsync("empty", new { type = "NodePort", clusterIP = "10.96.0.14", ports = Ports(30082) });
        await EndpointsAsync("empty", Pod(1, ready: false));

        await UntilAsync("the cluster IP refuses", async () => await ServiceNetwork.TcpAsync(network.Client, "10.96.0.14", 80, 1) == "ConnectionRefused");
        Assert.Equal("ConnectionRefused", await ServiceNetwork.TcpAsync(network.Router, ServiceNetwork.NodeAddress, 30082));
        using var udp = network.Client.CreateSocket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        await udp.ConnectAsync(IPAddress.Parse("10.96.0.14"), 53);
        Assert.Equal("ConnectionRefused", await ServiceNetwork.UdpAsync(udp));
    }

    [SkippableFact]
    public async Task Endpoints_coming_and_going_are_followed()
    {
        await network.StartAsync();
        await ServiceAsync("churn", new { clusterIP = "10.96.0.15", ports = Ports() });
        await EndpointsAsync("churn", Pod(1));
        await UntilAsync("p1 answers", async () => (await ServiceNetwork.TcpAsync(network.Client, "10.96.0.15", 80, 1)).StartsWith("p1", StringComparison.Ordinal));

        await EndpointsAsync("churn", Pod(2));
        await UntilAsync("p2 answers instead", async () => (await ServiceNetwork.TcpAsync(network.Client, "10.96.0.15", 80, 1)).StartsWith("p2", StringComparison.Ordinal));
        for (var i = 0; i < 5; i++)
        {
            Assert.StartsWith("p2", await ServiceNetwork.TcpAsync(network.Client, "10.96.0.15", 80), StringComparison.Ordinal);
        }

        await network.DeleteAsync(ServiceResourceReader.EndpointSliceKind, "churn-abc");
        await UntilAsync("the service refuses", async () => await ServiceNetwork.TcpAsync(network.Client, "10.96.0.15", 80, 1) == "ConnectionRefused");

        await network.DeleteAsync(ServiceResourceReader.ServiceKind, "churn");
        await UntilAsync("the cluster IP is no service any more", async () => await ServiceNetwork.TcpAsync(network.Client, "10.96.0.15", 80, 1) != "ConnectionRefused");
    }

    [SkippableFact]
    public async Task A_removed_UDP_endpoint_loses_its_conntrack_entries()
    {
        await network.StartAsync();
        await ServiceAsync("udp", new { clusterIP = "10.96.0.16", ports = Ports() });
        await EndpointsAsync("udp", Pod(1));
        using var udp = network.Client.CreateSocket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        await udp.ConnectAsync(IPAddress.Parse("10.96.0.16"), 53);
        await UntilAsync("p1 answers", async () => await ServiceNetwork.UdpAsync(udp, 1) == "p1");

        // p1 still runs: without the flush, conntrack would keep this client's flow on it.
        await EndpointsAsync("udp", Pod(2));
        await UntilAsync("the same client socket gets p2", async () => await ServiceNetwork.UdpAsync(udp, 1) == "p2");
    }
}
