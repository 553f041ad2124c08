#pragma warning disable CA1861 // The documents are written inline, once per test, to read like YAML.
using System.Net;
using System.Net.Sockets;
using Routing.Agent.Services.Model;
using Routing.Agent.Services.Reading;
using static Routing.Agent.Tests.Services.ServiceDocuments;

namespace Routing.Agent.Tests.Services;

public sealed class ServiceResourceReaderTests
{
    [Fact]
    public void Reads_every_field_the_proxy_uses()
    {
        var json = Service(
            "web",
            new
            {
                type = "LoadBalancer",
                clusterIPs = new[] { "10.96.0.10", "fd00:96::10" },
                externalIPs = new[] { "192.0.2.10" },
                ports = new[] { Port(80, "http", targetPort: "web", nodePort: 30080), Port(53, "dns", "UDP", 5353) },
                sessionAffinity = "ClientIP",
                sessionAffinityConfig = new { clientIP = new { timeoutSeconds = 60 } },
                externalTrafficPolicy = "Local",
                internalTrafficPolicy = "Local",
                healthCheckNodePort = 32000,
            },
            new { loadBalancer = new { ingress = new object[] { new { ip = "203.0.113.5" }, new { hostname = "lb.example" } } } },
            ns: "shop");

        var service = ServiceResourceReader.ReadService(json);

        Assert.Equal("shop/web", service.ToString());
        Assert.Equal("LoadBalancer", service.Type);
        Assert.Equal([IPAddress.Parse("10.96.0.10"), IPAddress.Parse("fd00:96::10")], service.ClusterIPs);
        Assert.Equal([IPAddress.Parse("192.0.2.10")], service.ExternalIPs);
        Assert.Equal([IPAddress.Parse("203.0.113.5")], service.LoadBalancerIPs);
        Assert.Equal(new ServicePort("http", ServiceProtocol.Tcp, 80, 30080, 0, "web"), service.Ports[0]);
        Assert.Equal(new ServicePort("dns", ServiceProtocol.Udp, 53, 0, 5353, null), service.Ports[1]);
        Assert.Equal(60, service.AffinitySeconds);
        Assert.True(service.ExternalTrafficLocal);
        Assert.True(service.InternalTrafficLocal);
        Assert.Equal(32000, service.HealthCheckNodePort);
    }

    [Fact]
    public void A_headless_service_has_no_cluster_IP_and_affinity_defaults_to_three_hours()
    {
        var service = ServiceResourceReader.ReadService(Service("db", new { clusterIP = "None", ports = new[] { Port(5432) }, sessionAffinity = "ClientIP" }));

        Assert.Empty(service.ClusterIPs);
        Assert.Equal(10800, service.AffinitySeconds);
        Assert.Equal(5432, service.Ports[0].TargetPortNumber);
    }

    [Fact]
    public void Every_bad_field_is_named()
    {
        var json = Service("bad", new
        {
            type = "Magic",
            clusterIP = "10.96.0",
            ports = new[] { Port(0, "a", "ICMP"), Port(80, "") },
            sessionAffinity = "Sticky",
            externalTrafficPolicy = "Nearby",
        });

        var error = Assert.Throws<ServiceResourceException>(() => ServiceResourceReader.ReadService(json));

        Assert.Equal("Service default/bad", error.Resource);
        Assert.Equal(
            ["spec.type", "spec.clusterIP", "spec.ports[0].protocol", "spec.ports[0].port", "spec.ports[0].targetPort", "spec.ports", "spec.sessionAffinity", "spec.externalTrafficPolicy"],
            error.Errors.Select(e => e.Field));
    }

    [Fact]
    public void Reads_an_endpoint_slice_with_its_conditions()
    {
        var json = Slice(
            "web",
            [Endpoint("10.244.0.5"), Endpoint("10.244.1.7", node: "node2", ready: false, terminating: true), new { addresses = new[] { "10.244.2.9" } }],
            [SlicePort(8080, "http")]);

        var slice = ServiceResourceReader.ReadEndpointSlice(json);

        Assert.Equal("web", slice.ServiceName);
        Assert.Equal(AddressFamily.InterNetwork, slice.Family);
        Assert.Equal([new EndpointPort("http", ServiceProtocol.Tcp, 8080)], slice.Ports);
        Assert.Equal(3, slice.Endpoints.Count);
        Assert.Equal(("node1", true, false), (slice.Endpoints[0].NodeName, slice.Endpoints[0].Ready, slice.Endpoints[0].Terminating));
        Assert.Equal((false, true, true), (slice.Endpoints[1].Ready, slice.Endpoints[1].Serving, slice.Endpoints[1].Terminating));
        Assert.True(slice.Endpoints[2].Ready && slice.Endpoints[2].Serving && slice.Endpoints[2].NodeName is null);
    }

    [Fact]
    public void A_slice_without_its_service_label_or_with_addresses_of_the_other_family_is_refused()
    {
        var json = Slice("web", [Endpoint("fd00::5")], [SlicePort(70000)]).Replace("kubernetes.io/service-name", "app", StringComparison.Ordinal);

        var error = Assert.Throws<ServiceResourceException>(() => ServiceResourceReader.ReadEndpointSlice(json));

        Assert.Equal(["metadata.labels[kubernetes.io/service-name]", "ports[0].port", "endpoints[0].addresses[0]"], error.Errors.Select(e => e.Field));
    }
}
