using System.Net;
using Routing.Agent.Dns.Cluster;
using Routing.Agent.Dns.Zone;

namespace Routing.Agent.Tests.Dns;

/// <summary>Services, EndpointSlices and Pods in their upstream JSON schema, read into cluster names.</summary>
public sealed class ClusterNamesReaderTests
{
    private const string Web = """
        {"apiVersion":"v1","kind":"Service","metadata":{"name":"web","namespace":"shop"},
         "spec":{"type":"ClusterIP","clusterIP":"10.96.0.10","clusterIPs":["10.96.0.10","fd00:96::10"],
                 "ports":[{"name":"http","protocol":"TCP","port":80,"targetPort":8080}]}}
        """;

    private const string Db = """
        {"apiVersion":"v1","kind":"Service","metadata":{"name":"db","namespace":"shop"},
         "spec":{"clusterIP":"None","ports":[{"name":"pg","port":5432}]}}
        """;

    private const string Mail = """
        {"apiVersion":"v1","kind":"Service","metadata":{"name":"mail","namespace":"shop"},
         "spec":{"type":"ExternalName","externalName":"smtp.example.com"}}
        """;

    private const string DbSlice = """
        {"apiVersion":"discovery.k8s.io/v1","kind":"EndpointSlice","metadata":{"name":"db-abc","namespace":"shop",
           "labels":{"kubernetes.io/service-name":"db"}},
         "addressType":"IPv4",
         "endpoints":[{"addresses":["10.244.1.5"],"hostname":"db-0","conditions":{"ready":true}},
                      {"addresses":["10.244.2.6"]},
                      {"addresses":["10.244.3.7"],"conditions":{"ready":false}}],
         "ports":[{"name":"pg","protocol":"TCP","port":5432}]}
        """;

    private const string Pod = """
        {"apiVersion":"v1","kind":"Pod","metadata":{"name":"web-1","namespace":"shop"},
         "spec":{"containers":[]},"status":{"phase":"Running","podIP":"10.244.2.5","podIPs":[{"ip":"10.244.2.5"},{"ip":"fd00:244::2:5"}]}}
        """;

    private const string HostPod = """
        {"apiVersion":"v1","kind":"Pod","metadata":{"name":"agent","namespace":"kube-system"},
         "spec":{"hostNetwork":true},"status":{"phase":"Running","podIP":"10.100.1.11"}}
        """;

    [Fact]
    public void ReadsEveryKindOfServiceTheirEndpointsAndPods()
    {
        var read = ClusterNamesReader.Read([Web, Db, Mail], [DbSlice], [Pod, HostPod]);
        Assert.Empty(read.Problems);
        var web = read.Names.Services.Single(s => s.Name == "web");
        Assert.Equal(ServiceKind.ClusterIP, web.Kind);
        Assert.Equal([IPAddress.Parse("10.96.0.10"), IPAddress.Parse("fd00:96::10")], web.ClusterIPs);
        Assert.Equal(new NamedPort("http", "TCP", 80), Assert.Single(web.Ports));

        var db = read.Names.Services.Single(s => s.Name == "db");
        Assert.Equal(ServiceKind.Headless, db.Kind);
        Assert.Equal(new NamedPort("pg", "TCP", 5432), Assert.Single(db.Ports));
        Assert.Equal([("db-0", true), (null, true), (null, false)], db.Endpoints.Select(e => (e.Hostname, e.Ready)));
        Assert.All(db.Endpoints, e => Assert.Equal(new NamedPort("pg", "TCP", 5432), Assert.Single(e.Ports)));

        var mail = read.Names.Services.Single(s => s.Name == "mail");
        Assert.Equal((ServiceKind.ExternalName, "smtp.example.com"), (mail.Kind, mail.ExternalName));

        var pod = Assert.Single(read.Names.Pods);
        Assert.Equal(("shop", "web-1", 2), (pod.Namespace, pod.Name, pod.Addresses.Count));
    }

    [Fact]
    public void ABrokenDocumentIsLeftOutAndNamed()
    {
        var read = ClusterNamesReader.Read([Web, """{"kind":"Service","metadata":{"name":"x"},"spec":{"clusterIP":"10.96.0.300"}}"""], [], ["not json"]);
        Assert.Equal("web", Assert.Single(read.Names.Services).Name);
        Assert.Equal(2, read.Problems.Count);
    }
}

/// <summary>The resolv.conf a pod gets.</summary>
public sealed class PodResolvConfTests
{
    [Fact]
    public void HasTheClusterSearchPathAndTheNodesServer()
    {
        var text = Routing.Agent.Dns.PodResolvConf.Text("shop", "10.100.1.11");
        Assert.Equal("search shop.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.100.1.11\noptions ndots:5\n", text);
        Assert.Equal("/etc/netns/rlab-pod1/resolv.conf", Routing.Agent.Dns.PodResolvConf.PathFor("rlab-pod1"));
    }
}
