using System.Net;
using System.Text;
using Routing.Agent.Services.HealthChecks;
using Routing.Agent.Services.Model;

namespace Routing.Agent.Tests.Services;

public sealed class ServiceHealthCheckTests
{
    private static ClusterService Service(string name, int healthCheckNodePort, bool local = true, string type = "LoadBalancer") => new()
    {
        Namespace = "shop",
        Name = name,
        Type = type,
        ExternalTrafficLocal = local,
        HealthCheckNodePort = healthCheckNodePort,
    };

    private static ServiceEndpoint At(string address, string node, bool ready = true, bool terminating = false) =>
        new([IPAddress.Parse(address)], ready, true, terminating, node);

    private static EndpointSlice Slice(string service, string name, params ServiceEndpoint[] endpoints) =>
        new() { Namespace = "shop", Name = name, ServiceName = service, Endpoints = endpoints };

    [Fact]
    public void Counts_this_nodes_ready_endpoints_once_each_across_slices()
    {
        var checks = ServiceHealthCheck.Of(
            [Service("web", 32000), Service("db", 32001)],
            [
                Slice("web", "web-a", At("10.244.0.1", "node1"), At("10.244.0.2", "node2"), At("10.244.0.3", "node1", ready: false, terminating: true)),
                Slice("web", "web-b", At("10.244.0.1", "node1"), At("10.244.0.4", "node1")),
                Slice("db", "db-a", At("10.244.0.5", "node2")),
            ],
            "node1");

        Assert.Equal([new ServiceHealthCheck(32001, "shop", "db", 0), new ServiceHealthCheck(32000, "shop", "web", 2)], checks);
    }

    [Fact]
    public void Only_eTP_Local_node_port_services_with_a_health_check_port_are_checked_and_a_port_goes_to_one_service()
    {
        var checks = ServiceHealthCheck.Of(
            [Service("cluster", 32000, local: false), Service("clusterip", 32001, type: "ClusterIP"), Service("none", 0), Service("b", 32002), Service("a", 32002)],
            [],
            "node1");

        Assert.Equal([new ServiceHealthCheck(32002, "shop", "a", 0)], checks);
        Assert.Equal([new HealthCheckPortConflict(32002, "shop/a", "shop/b")], ServiceHealthCheck.Conflicts([Service("b", 32002), Service("a", 32002), Service("c", 32003)]));
    }

    [Fact]
    public void Answers_as_kube_proxy_200_with_local_endpoints_503_without()
    {
        var healthy = new ServiceHealthCheck(32000, "shop", "web", 2);
        var drained = healthy with { LocalEndpoints = 0 };

        Assert.Equal(200, HealthCheckAnswer.StatusCode(healthy));
        Assert.Equal(503, HealthCheckAnswer.StatusCode(drained));
        Assert.Equal("""{"service":{"namespace":"shop","name":"web"},"localEndpoints":2,"serviceProxyHealthy":true}""", Encoding.UTF8.GetString(HealthCheckAnswer.Body(healthy)));
    }
}
