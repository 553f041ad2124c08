using System.Net;
using Routing.Agent.Dns.Server;
using Routing.Agent.Dns.Wire;
using Routing.Agent.Dns.Zone;

namespace Routing.Agent.Tests.Dns;

/// <summary>Message-level behaviour: EDNS0, truncation, malformed and unusual queries, and no allocation per answer.</summary>
public sealed class DnsResponderTests
{
    // 100 endpoints: 100 A records of 16 octets, 1.6 kB, more than 512 and than 1232.
    private static readonly DnsResponder Large = new(ClusterZone.Build(
        new ClusterNames(
            [new ServiceName("big", "many", ServiceKind.Headless, [], [], Endpoints: Enumerable.Range(1, 100).Select(i => new ServiceEndpoint([IPAddress.Parse($"10.244.0.{i}")], null, true, [])).ToArray())],
            []),
        new ZoneOptions()));

    private const string Many = "many.big.svc.cluster.local";

    [Fact]
    public void AnAnswerTooLargeForUdpIsTruncatedAndWholeOverTcp()
    {
        var udp = TestMessages.Ask(Large, TestMessages.Query(Many, DnsType.A))!;
        Assert.True(udp.Truncated);
        Assert.Empty(udp.Answers);
        Assert.Equal(Many, udp.Question);

        var tcp = TestMessages.Ask(Large, TestMessages.Query(Many, DnsType.A), DnsResponse.MaxTcpLength)!;
        Assert.False(tcp.Truncated);
        Assert.Equal(100, tcp.Answers.Count());
    }

    [Fact]
    public void TheEdnsPayloadSizeOfTheQueryIsHonoured()
    {
        var small = TestMessages.Ask(Large, TestMessages.Query(Many, DnsType.A, ednsPayload: 1232))!;
        Assert.True(small.Truncated);
        var opt = Assert.Single(small.Additional);
        Assert.Equal((DnsType.OPT, "1232"), (opt.Type, opt.Data));

        var large = TestMessages.Ask(Large, TestMessages.Query(Many, DnsType.A, ednsPayload: 4096))!;
        Assert.False(large.Truncated);
        Assert.Equal(100, large.Answers.Count());
        Assert.Equal(DnsType.OPT, Assert.Single(large.Additional).Type);

        // Below 512 counts as 512 (RFC 6891 §6.2.5).
        Assert.True(TestMessages.Ask(Large, TestMessages.Query(Many, DnsType.A, ednsPayload: 100))!.Truncated);
    }

    [Fact]
    public void WithoutEdnsThereIsNoOptRecord()
    {
        var answer = TestMessages.Ask(Large, TestMessages.Query("big.svc.cluster.local", DnsType.A))!;
        Assert.DoesNotContain(answer.Records, r => r.Type == DnsType.OPT);
    }

    [Fact]
    public void AnUnknownEdnsVersionGetsBadVersion()
    {
        var answer = TestMessages.Ask(Large, TestMessages.Query(Many, DnsType.A, ednsPayload: 1232, ednsVersion: 1))!;
        Assert.Equal(DnsResponseCode.BadVersion, answer.Code);
        Assert.Empty(answer.Answers);
    }

    [Fact]
    public void MalformedAndUnusualQueries()
    {
        Assert.Equal(DnsResponseCode.FormatError, TestMessages.Ask(Large, TestMessages.Query(Many, DnsType.A, questions: 2))!.Code);
        var truncatedName = TestMessages.Query(Many, DnsType.A)[..20];
        Assert.Equal(DnsResponseCode.FormatError, TestMessages.Ask(Large, truncatedName)!.Code);
        // Opcode 2 (STATUS): not implemented.
        Assert.Equal(DnsResponseCode.NotImplemented, TestMessages.Ask(Large, TestMessages.Query(Many, DnsType.A, flags: 2 << 11))!.Code);
        // A response is never answered; nor is a runt.
        Assert.Null(TestMessages.Ask(Large, TestMessages.Query(Many, DnsType.A, flags: DnsHeader.QR)));
        Assert.Null(TestMessages.Ask(Large, new byte[5]));
    }

    [Fact]
    public void ACompressionLoopIsAFormatError()
    {
        byte[] query = [0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xC0, 12, 0, 1, 0, 1];
        Assert.Equal(DnsResponseCode.FormatError, TestMessages.Ask(Large, query)!.Code);
    }

    [Fact]
    public void AnsweringFromTheZoneAllocatesNothing()
    {
        var query = TestMessages.Query("_pg._tcp.Many.big.svc.cluster.local", DnsType.A, ednsPayload: 1232);
        var missing = TestMessages.Query("nope.big.svc.cluster.local", DnsType.AAAA);
        var response = new byte[DnsResponse.MaxTcpLength];
        var name = new char[DnsName.MaxTextLength + 2];
        Large.Respond(query, response, name, null, out _, out _, out _);
        Large.Respond(missing, response, name, null, out _, out _, out _);

        // The runtime itself may allocate on this thread while it tiers the code up (on-stack
        // replacement of a hot loop): the steady state is what counts, so a few rounds are allowed to
        // settle; a response that allocates allocates in every round.
        long allocated = -1;
        for (var round = 0; round < 10 && allocated != 0; round++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < 1000; i++)
            {
                Large.Respond(query, response, name, null, out _, out _, out _);
                Large.Respond(missing, response, name, null, out _, out _, out _);
            }

            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        }

        Assert.Equal(0, allocated);
    }
}
