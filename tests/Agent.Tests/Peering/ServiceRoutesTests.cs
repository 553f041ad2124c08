#pragma warning disable CA1861 // The documents are written inline, once per test, to read like YAML.
using System.Net;
using Routing.Agent.Peering;
using Routing.Agent.Resources;
using Routing.Agent.Services.Proxy;
using Routing.Agent.Services.Reading;
using Routing.Agent.Services.Rules;
using Routing.Bgp.Wire;
using static Routing.Agent.Tests.Services.ServiceDocuments;

namespace Routing.Agent.Tests.Peering;

public sealed class ServiceRoutesTests
{
    private const string Cluster = """
        apiVersion: routing.dev/v1
        kind: BGPConfiguration
        metadata: {name: default}
        spec:
          asNumber: 65010
          serviceClusterIPs: [{cidr: 10.96.0.0/12}]
          serviceExternalIPs: [{cidr: 192.0.2.0/24}, {cidr: "2001:db8::/64"}]
          serviceLoadBalancerIPs: [{cidr: 203.0.113.0/24}]
        ---
        apiVersion: routing.dev/v1
        kind: RoutingNode
        metadata: {name: node1}
        spec: {ipv4Address: 10.0.0.1/24}
        """;

    private static readonly string[] Ranges = ["10.96.0.0/12", "192.0.2.0/24", "203.0.113.0/24", "2001:db8::/64"];

    [Fact]
    public void Every_node_advertises_the_service_ranges()
    {
        var plan = BgpPlan.Calculate(ResourceFile.Parse(Cluster, "cluster.yaml"), "node1", []);

        Assert.Equal(Ranges.Select(Prefix.Parse).Order(), plan.Originated);
    }

    [Fact]
    public void A_local_policy_service_is_advertised_as_host_routes_only_from_nodes_with_its_endpoints()
    {
        var service = ServiceResourceReader.ReadService(Service("web", new
        {
            type = "LoadBalancer",
            clusterIP = "10.96.0.10",
            externalIPs = new[] { "192.0.2.10", "198.51.100.1" },
            ports = new[] { Port(80, "http", targetPort: 8080, nodePort: 30080) },
            externalTrafficPolicy = "Local",
        }, new { loadBalancer = new { ingress = new[] { new { ip = "203.0.113.7" } } } }));
        var cluster = new[] { service, ServiceResourceReader.ReadService(Service("other", new { clusterIP = "10.96.0.20", ports = new[] { Port(80) } })) };
        var slice = ServiceResourceReader.ReadEndpointSlice(Slice("web", [Endpoint("10.244.0.5", "node1")], [SlicePort(8080, "http")]));
        var resources = ResourceFile.Parse(Cluster, "cluster.yaml");

        var withEndpoint = Routes(new ServiceRulesOptions { NodeName = "node1" });
        var without = Routes(new ServiceRulesOptions { NodeName = "node2" });

        // 198.51.100.1 is in no advertised range: it is not advertised at all.
        Assert.Equal(
            Ranges.Concat(["10.96.0.10/32", "192.0.2.10/32", "203.0.113.7/32"]).Select(Prefix.Parse).Order(),
            withEndpoint);
        Assert.Equal(Ranges.Select(Prefix.Parse).Order(), without);

        IReadOnlyList<Prefix> Routes(ServiceRulesOptions options)
        {
            var ports = ServiceRulesCompiler.Compile(cluster, [slice], options).Ports;
            return BgpPlan.Calculate(resources, "node1", [], ServiceAddresses.LocalPolicy(ports)).Originated;
        }
    }

    [Fact]
    public void A_service_range_must_be_a_CIDR_mapping()
    {
        var yaml = Cluster.Replace("[{cidr: 203.0.113.0/24}]", "[203.0.113.0/24, {cidr: 203.0.113.1/24}, {cird: 10.0.0.0/8}]", StringComparison.Ordinal);

        var error = Assert.Throws<ResourceValidationException>(() => ResourceFile.Parse(yaml, "cluster.yaml"));

        Assert.Contains("spec.serviceLoadBalancerIPs[0]", error.Message, StringComparison.Ordinal);
        Assert.Contains("spec.serviceLoadBalancerIPs[1].cidr", error.Message, StringComparison.Ordinal);
        Assert.Contains("did you mean 203.0.113.0/24", error.Message, StringComparison.Ordinal);
        Assert.Contains("spec.serviceLoadBalancerIPs[2].cird", error.Message, StringComparison.Ordinal);
    }
}
