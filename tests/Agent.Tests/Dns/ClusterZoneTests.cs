using System.Net;
using Routing.Agent.Dns.Server;
using Routing.Agent.Dns.Wire;
using Routing.Agent.Dns.Zone;

namespace Routing.Agent.Tests.Dns;

/// <summary>The zone's answers to each kind of cluster name, through the responder (codec included).</summary>
public sealed class ClusterZoneTests
{
    private static readonly NamedPort Http = new("http", "TCP", 80);

    private static ServiceName Web => new(
        "shop", "web", ServiceKind.ClusterIP, [IPAddress.Parse("10.96.0.10"), IPAddress.Parse("fd00:96::10")], [Http, new NamedPort("", "TCP", 8080)]);

    private static ServiceName Db => new(
        "shop",
        "db",
        ServiceKind.Headless,
        [],
        [],
        Endpoints:
        [
            new ServiceEndpoint([IPAddress.Parse("10.244.1.5")], "db-0", Ready: true, [new NamedPort("pg", "TCP", 5432)]),
            new ServiceEndpoint([IPAddress.Parse("10.244.2.6")], null, Ready: true, [new NamedPort("pg", "TCP", 5432)]),
            new ServiceEndpoint([IPAddress.Parse("10.244.3.7")], "db-2", Ready: false, [new NamedPort("pg", "TCP", 5432)]),
        ]);

    private static ServiceName Mail => new("shop", "mail", ServiceKind.ExternalName, [], [], ExternalName: "smtp.example.com.");

    private static readonly PodName Pod = new("shop", "web-1", [IPAddress.Parse("10.244.2.5"), IPAddress.Parse("fd00:244::2:5")]);

    private static DnsResponder Responder(ZoneOptions? options = null, params ServiceName[] extra) =>
        new(ClusterZone.Build(new ClusterNames([Web, Db, Mail, .. extra], [Pod]), options ?? new ZoneOptions()));

    private static TestResponse Ask(string name, DnsType type, ZoneOptions? options = null) =>
        TestMessages.Ask(Responder(options), TestMessages.Query(name, type)) ?? throw new Xunit.Sdk.XunitException($"{name} {type} was not answered by the zone");

    [Fact]
    public void ClusterIPServiceAnswersWithItsAddressesAuthoritatively()
    {
        var a = Ask("web.shop.svc.cluster.local", DnsType.A);
        Assert.Equal(DnsResponseCode.NoError, a.Code);
        Assert.True(a.Authoritative);
        Assert.Equal(["10.96.0.10"], a.AnswerData(DnsType.A));
        Assert.Equal(0x1234, a.Id);
        Assert.Equal(["fd00:96::10"], Ask("web.shop.svc.cluster.local", DnsType.AAAA).AnswerData(DnsType.AAAA));
    }

    [Fact]
    public void NamesAreCaseInsensitiveAndTheQuestionKeepsItsSpelling()
    {
        var a = Ask("Web.SHOP.svc.Cluster.Local", DnsType.A);
        Assert.Equal(["10.96.0.10"], a.AnswerData(DnsType.A));
        Assert.Equal("Web.SHOP.svc.Cluster.Local", a.Question);
        Assert.All(a.Answers, r => Assert.Equal("Web.SHOP.svc.Cluster.Local", r.Name));
    }

    [Fact]
    public void TtlsComeFromTheOptions()
    {
        var options = new ZoneOptions { Ttl = 5, NegativeTtl = 7 };
        Assert.All(Ask("web.shop.svc.cluster.local", DnsType.A, options).Answers, r => Assert.Equal(5u, r.Ttl));
        var negative = Ask("nope.shop.svc.cluster.local", DnsType.A, options);
        var soa = Assert.Single(negative.Authority);
        Assert.Equal(7u, soa.Ttl);
        Assert.EndsWith(" 7", soa.Data, StringComparison.Ordinal);
    }

    [Fact]
    public void AnotherDomainIsServedInstead()
    {
        var responder = new DnsResponder(ClusterZone.Build(new ClusterNames([Web], []), new ZoneOptions { Domain = "Corp.Example." }));
        Assert.Equal(["10.96.0.10"], TestMessages.Ask(responder, TestMessages.Query("web.shop.svc.corp.example", DnsType.A))!.AnswerData(DnsType.A));
        Assert.Null(TestMessages.Ask(responder, TestMessages.Query("web.shop.svc.cluster.local", DnsType.A)));
    }

    [Fact]
    public void HeadlessServiceAnswersWithItsReadyEndpoints()
    {
        Assert.Equal(["10.244.1.5", "10.244.2.6"], Ask("db.shop.svc.cluster.local", DnsType.A).AnswerData(DnsType.A));
        Assert.Equal(["10.244.1.5"], Ask("db-0.db.shop.svc.cluster.local", DnsType.A).AnswerData(DnsType.A));
        Assert.Equal(["10.244.2.6"], Ask("10-244-2-6.db.shop.svc.cluster.local", DnsType.A).AnswerData(DnsType.A));
        Assert.Equal(DnsResponseCode.NameError, Ask("db-2.db.shop.svc.cluster.local", DnsType.A).Code);
    }

    [Fact]
    public void PublishNotReadyAddressesIncludesEndpointsNotReady()
    {
        var responder = new DnsResponder(ClusterZone.Build(new ClusterNames([Db with { PublishNotReadyAddresses = true }], []), new ZoneOptions()));
        var answer = TestMessages.Ask(responder, TestMessages.Query("db.shop.svc.cluster.local", DnsType.A))!;
        Assert.Equal(["10.244.1.5", "10.244.2.6", "10.244.3.7"], answer.AnswerData(DnsType.A));
    }

    [Fact]
    public void NamedPortsHaveSrvRecordsWithTheTargetsAddressesAsAdditionalData()
    {
        var web = Ask("_http._tcp.web.shop.svc.cluster.local", DnsType.SRV);
        Assert.Equal(["0 100 80 web.shop.svc.cluster.local"], web.AnswerData(DnsType.SRV));
        Assert.Equal(["10.96.0.10", "fd00:96::10"], web.Additional.Select(r => r.Data).Order(StringComparer.Ordinal));
        Assert.All(web.Additional, r => Assert.Equal("web.shop.svc.cluster.local", r.Name));

        var db = Ask("_pg._tcp.db.shop.svc.cluster.local", DnsType.SRV);
        Assert.Equal(["0 50 5432 10-244-2-6.db.shop.svc.cluster.local", "0 50 5432 db-0.db.shop.svc.cluster.local"], db.AnswerData(DnsType.SRV));
        Assert.Equal(2, db.Additional.Count());

        // The port without a name has none; the protocol label exists as an empty non-terminal.
        Assert.Equal(DnsResponseCode.NameError, Ask("_http._udp.web.shop.svc.cluster.local", DnsType.SRV).Code);
        var tcp = Ask("_tcp.web.shop.svc.cluster.local", DnsType.SRV);
        Assert.Equal(DnsResponseCode.NoError, tcp.Code);
        Assert.Empty(tcp.Answers);
    }

    [Fact]
    public void PodsHaveDashedNamesInTheirNamespace()
    {
        Assert.Equal(["10.244.2.5"], Ask("10-244-2-5.shop.pod.cluster.local", DnsType.A).AnswerData(DnsType.A));
        Assert.Equal(["fd00:244::2:5"], Ask("fd00-244--2-5.shop.pod.cluster.local", DnsType.AAAA).AnswerData(DnsType.AAAA));
        Assert.Equal(DnsResponseCode.NameError, Ask("10-244-2-5.other.pod.cluster.local", DnsType.A).Code);
        Assert.Equal(DnsResponseCode.NameError, Ask("10-244-9-9.shop.pod.cluster.local", DnsType.A).Code);
    }

    [Fact]
    public void PointerRecordsNameServicesEndpointsAndPodsForBothFamilies()
    {
        Assert.Equal(["web.shop.svc.cluster.local"], Ask("10.0.96.10.in-addr.arpa", DnsType.PTR).AnswerData(DnsType.PTR));
        Assert.Equal(["db-0.db.shop.svc.cluster.local"], Ask("5.1.244.10.in-addr.arpa", DnsType.PTR).AnswerData(DnsType.PTR));
        Assert.Equal(["10-244-2-5.shop.pod.cluster.local"], Ask("5.2.244.10.in-addr.arpa", DnsType.PTR).AnswerData(DnsType.PTR));
        var v6 = ReverseName.For(IPAddress.Parse("fd00:244::2:5"));
        Assert.Equal("5.0.0.0.2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.4.4.2.0.0.0.d.f.ip6.arpa", v6);
        Assert.Equal(["fd00-244--2-5.shop.pod.cluster.local"], Ask(v6, DnsType.PTR).AnswerData(DnsType.PTR));
        Assert.Equal(["web.shop.svc.cluster.local"], Ask(ReverseName.For(IPAddress.Parse("fd00:96::10")), DnsType.PTR).AnswerData(DnsType.PTR));
    }

    [Fact]
    public void ExternalNameIsACname()
    {
        var a = Ask("mail.shop.svc.cluster.local", DnsType.A);
        Assert.Equal(DnsResponseCode.NoError, a.Code);
        Assert.Equal(["smtp.example.com"], a.AnswerData(DnsType.CNAME));
        Assert.Equal(["smtp.example.com"], Ask("mail.shop.svc.cluster.local", DnsType.CNAME).AnswerData(DnsType.CNAME));
    }

    [Fact]
    public void NameErrorForMissingNamesAndNoDataForMissingTypes()
    {
        var missing = Ask("nope.shop.svc.cluster.local", DnsType.A);
        Assert.Equal(DnsResponseCode.NameError, missing.Code);
        Assert.True(missing.Authoritative);
        Assert.Empty(missing.Answers);
        var soa = Assert.Single(missing.Authority);
        Assert.Equal(("cluster.local", DnsType.SOA), (soa.Name, soa.Type));

        // The name exists (with an A record), the type does not: NOERROR, empty answer, the SOA.
        var noData = Ask("web.shop.svc.cluster.local", DnsType.TXT);
        Assert.Equal(DnsResponseCode.NoError, noData.Code);
        Assert.Empty(noData.Answers);
        Assert.Single(noData.Authority);

        // A v4-only name asked for AAAA; and empty non-terminals: namespaces, svc, pod.
        foreach (var (name, type) in new[] { ("10-244-2-6.db.shop.svc.cluster.local", DnsType.AAAA), ("shop.svc.cluster.local", DnsType.A), ("svc.cluster.local", DnsType.A), ("shop.pod.cluster.local", DnsType.A) })
        {
            var answer = Ask(name, type);
            Assert.Equal(DnsResponseCode.NoError, answer.Code);
            Assert.Empty(answer.Answers);
            Assert.Equal(DnsType.SOA, Assert.Single(answer.Authority).Type);
        }

        Assert.Equal(DnsResponseCode.NameError, Ask("other.svc.cluster.local", DnsType.A).Code);
        Assert.Equal(DnsResponseCode.NameError, Ask("nothing.cluster.local", DnsType.A).Code);
    }

    [Fact]
    public void TheApexHasSoaAndNs()
    {
        var options = new ZoneOptions { NameServerAddress = IPAddress.Parse("10.53.0.1") };
        var soa = Ask("cluster.local", DnsType.SOA, options);
        Assert.StartsWith("ns.dns.cluster.local hostmaster.cluster.local", Assert.Single(soa.Answers).Data, StringComparison.Ordinal);
        var ns = Ask("cluster.local", DnsType.NS, options);
        Assert.Equal(["ns.dns.cluster.local"], ns.AnswerData(DnsType.NS));
        Assert.Equal("10.53.0.1", Assert.Single(ns.Additional).Data);
        Assert.Equal(["10.53.0.1"], Ask("ns.dns.cluster.local", DnsType.A, options).AnswerData(DnsType.A));
    }

    [Fact]
    public void AnyGivesEveryTypeAtTheName()
    {
        var any = Ask("web.shop.svc.cluster.local", DnsType.ANY);
        Assert.Equal([DnsType.A, DnsType.AAAA], any.Answers.Select(r => r.Type).Order());
    }

    [Fact]
    public void NamesOutsideTheZoneAndUnknownReverseNamesAreForwarded()
    {
        var responder = Responder();
        Assert.Null(TestMessages.Ask(responder, TestMessages.Query("example.com", DnsType.A)));
        Assert.Null(TestMessages.Ask(responder, TestMessages.Query("cluster.local.example.com", DnsType.A)));
        Assert.Null(TestMessages.Ask(responder, TestMessages.Query("8.8.8.8.in-addr.arpa", DnsType.PTR)));
    }
}
