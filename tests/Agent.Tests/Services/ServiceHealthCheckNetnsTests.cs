using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Routing.Agent.Services.HealthChecks;
using Routing.Agent.Services.Reading;
using Routing.TestKit.Namespaces;
using static Routing.Agent.Tests.Services.ServiceDocuments;

namespace Routing.Agent.Tests.Services;

/// <summary>
/// The health-check node port of an <c>externalTrafficPolicy: Local</c> service, served by the agent
/// in the node namespace and asked over HTTP from a client pod, as a load balancer asks it.
/// </summary>
[Trait("Category", "Netns")]
public sealed class ServiceHealthCheckNetnsTests(ServiceNetwork network) : IClassFixture<ServiceNetwork>
{
    private const int HealthCheckPort = 32100;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    private static object Pod(int pod, string node = "node1", bool ready = true) => Endpoint(ServiceNetwork.PodAddress(pod), node, ready);

    private Task EndpointsAsync(string name, params object[] endpoints) =>
        network.PutAsync(ServiceResourceReader.EndpointSliceKind, name + "-abc", Slice(name, endpoints, [SlicePort(8080, "http")]));

    // The listening sockets live in the node namespace, as they do when the agent runs there.
    private Socket BindInNode(IPEndPoint endpoint)
    {
        var socket = network.Node.CreateSocket(endpoint.AddressFamily);
        try
        {
            socket.Bind(endpoint);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>The status code and body of GET / on the node's health-check port from the client pod, or the socket error.</summary>
    private async Task<(string Status, string Body)> AskAsync()
    {
        using var http = NamespaceHttp.ClientIn(network.Client);
        http.Timeout = TimeSpan.FromSeconds(3);
        try
        {
            using var response = await http.GetAsync(new Uri($"http://{ServiceNetwork.NodeAddress}:{HealthCheckPort}/healthz"));
            return (((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture), await response.Content.ReadAsStringAsync());
        }
        catch (HttpRequestException e) when (e.InnerException is SocketException socket)
        {
            return (socket.SocketErrorCode.ToString(), "");
        }
        catch (TaskCanceledException)
        {
            return ("TimedOut", "");
        }
    }

    private async Task<(string Status, string Body)> UntilAnswerAsync(string status)
    {
        var last = ("", "");
        await using var waiting = new Topology();
        await waiting.UntilAsync($"the health-check node port answers {status}", async _ => (last = await AskAsync()).Item1 == status, Wait);
        return last;
    }

    private static void AssertBody(string body, int localEndpoints)
    {
        using var json = JsonDocument.Parse(body);
        var root = json.RootElement;
        Assert.Equal("default", root.GetProperty("service").GetProperty("namespace").GetString());
        Assert.Equal("checked", root.GetProperty("service").GetProperty("name").GetString());
        Assert.Equal(localEndpoints, root.GetProperty("localEndpoints").GetInt32());
        Assert.True(root.GetProperty("serviceProxyHealthy").GetBoolean());
    }

    [SkippableFact]
    public async Task The_health_check_node_port_answers_200_with_local_endpoints_503_without_and_closes_with_the_service()
    {
        await network.StartAsync();
        await using var checks = HealthCheckNodePorts.Follow(network.Proxy, NullLoggerFactory.Instance, BindInNode, TimeSpan.FromMilliseconds(200));
        await network.PutAsync(ServiceResourceReader.ServiceKind, "checked", Service("checked", new
        {
            type = "LoadBalancer",
            clusterIP = "10.96.0.30",
            externalTrafficPolicy = "Local",
            healthCheckNodePort = HealthCheckPort,
            ports = new[] { Port(80, "http", targetPort: 8080, nodePort: 30100) },
        }));
        // One endpoint here, one elsewhere: the count is this node's.
        await EndpointsAsync("checked", Pod(1), Pod(2, node: "node2"), Pod(3, ready: false));

        var (_, body) = await UntilAnswerAsync("200");
        AssertBody(body, localEndpoints: 1);

        // The local endpoint goes: the load balancer is told to send elsewhere.
        await EndpointsAsync("checked", Pod(2, node: "node2"));
        (_, body) = await UntilAnswerAsync("503");
        AssertBody(body, localEndpoints: 0);

        // The service goes: so does its port.
        await network.DeleteAsync(ServiceResourceReader.ServiceKind, "checked");
        await UntilAnswerAsync(nameof(SocketError.ConnectionRefused));
        Assert.Empty(checks.Serving);
    }
}
