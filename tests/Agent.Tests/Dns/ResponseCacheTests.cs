using System.Net;
using Routing.Agent.Dns.Server;
using Routing.Agent.Dns.Wire;
using Routing.TestKit.Time;

namespace Routing.Agent.Tests.Dns;

/// <summary>The forwarder's cache: kept for the answer's TTL (negative answers for the SOA's), served with the asker's id and spelling and aged TTLs.</summary>
public sealed class ResponseCacheTests
{
    private readonly ManualTimeProvider clock = new();

    private static (byte[] Message, DnsQuery Question, string Key) Upstream(string name, Action<RecordWriter> answer, Action<RecordWriter>? authority = null, DnsResponseCode code = DnsResponseCode.NoError)
    {
        var query = TestMessages.Query(name, DnsType.A, id: 7);
        var text = new char[DnsName.MaxTextLength + 2];
        DnsQuery.TryRead(query, text, out var question);
        var answers = new RecordWriter();
        answer(answers);
        var authorities = new RecordWriter();
        authority?.Invoke(authorities);
        var response = new byte[DnsResponse.MaxTcpLength];
        var length = DnsResponse.Write(response, query, question, code, false, answers.ToRecordSet(), authorities.ToRecordSet(), null, DnsResponse.MaxTcpLength);
        return (response[..length], question, ResponseCache.KeyFor(text.AsSpan(0, question.NameLength), question));
    }

    private static (byte[] Query, DnsQuery Question, string Key) Ask(string name, ushort id)
    {
        var query = TestMessages.Query(name, DnsType.A, id: id);
        var text = new char[DnsName.MaxTextLength + 2];
        DnsQuery.TryRead(query, text, out var question);
        return (query, question, ResponseCache.KeyFor(text.AsSpan(0, question.NameLength), question));
    }

    private TestResponse? Lookup(ResponseCache cache, string name, ushort id)
    {
        var (query, question, key) = Ask(name, id);
        var response = new byte[DnsResponse.MaxTcpLength];
        return cache.TryAnswer(key, query, question, response, 512, out var length) ? TestMessages.Parse(response.AsSpan(0, length)) : null;
    }

    [Fact]
    public void AnAnswerIsKeptForItsTtlWithTheAskersIdSpellingAndAgedTtls()
    {
        var cache = new ResponseCache(100, TimeSpan.FromMinutes(5), clock);
        var (message, _, key) = Upstream("www.example.com", w => w.Address(null, 60, IPAddress.Parse("192.0.2.7")));
        cache.Store(key, message);

        clock.Advance(TimeSpan.FromSeconds(20));
        var hit = Lookup(cache, "WWW.Example.com", 99)!;
        Assert.Equal(99, hit.Id);
        Assert.Equal("WWW.Example.com", hit.Question);
        var record = Assert.Single(hit.Answers);
        Assert.Equal(("192.0.2.7", 40u), (record.Data, record.Ttl));

        clock.Advance(TimeSpan.FromSeconds(41));
        Assert.Null(Lookup(cache, "www.example.com", 100));
    }

    [Fact]
    public void ANegativeAnswerIsKeptForTheSoaMinimum()
    {
        var cache = new ResponseCache(100, TimeSpan.FromMinutes(5), clock);
        var (message, _, key) = Upstream(
            "nope.example.com",
            _ => { },
            w => w.StartOfAuthority("example.com", 300, "ns.example.com", "host.example.com", 1, 2, 3, 4, minimum: 10),
            DnsResponseCode.NameError);
        cache.Store(key, message);
        clock.Advance(TimeSpan.FromSeconds(9));
        Assert.Equal(DnsResponseCode.NameError, Lookup(cache, "nope.example.com", 1)!.Code);
        clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Null(Lookup(cache, "nope.example.com", 2));
    }

    [Fact]
    public void FailuresAndAnswersWithoutTtlAreNotKept()
    {
        var cache = new ResponseCache(100, TimeSpan.FromMinutes(5), clock);
        var (failure, _, key) = Upstream("a.example.com", w => w.Address(null, 60, IPAddress.Parse("192.0.2.7")), code: DnsResponseCode.ServerFailure);
        cache.Store(key, failure);
        var (zero, _, zeroKey) = Upstream("b.example.com", w => w.Address(null, 0, IPAddress.Parse("192.0.2.7")));
        cache.Store(zeroKey, zero);
        Assert.Equal(0, cache.Count);
    }
}
