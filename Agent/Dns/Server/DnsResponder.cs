using Routing.Agent.Dns.Wire;
using Routing.Agent.Dns.Zone;

namespace Routing.Agent.Dns.Server;

public enum ResponderAction
{
    /// <summary>The response is written: send it.</summary>
    Reply,

    /// <summary>Not the zone's: ask the upstream resolvers.</summary>
    Forward,

    /// <summary>Nothing to send (not a query).</summary>
    Drop,
}

/// <summary>
/// Answers one query from the current zone into a caller's buffer, with no allocation: the same for
/// UDP and TCP, only the size limit differs.
/// </summary>
public sealed class DnsResponder(ClusterZone zone)
{
    private volatile ClusterZone zone = zone;

    /// <summary>The zone answers come from; replaced whole when the cluster changes.</summary>
    public ClusterZone Zone
    {
        get => zone;
        set => zone = value ?? throw new ArgumentNullException(nameof(value));
    }

    /// <param name="query">The query as received.</param>
    /// <param name="response">At least <see cref="DnsResponse.MaxUdpLength"/> long (UDP) or <paramref name="limit"/>.</param>
    /// <param name="name">At least <see cref="DnsName.MaxTextLength"/> + 2 characters: receives the question's name.</param>
    /// <param name="limit">The largest response: <c>null</c> for UDP (the query's EDNS size or 512), or the TCP maximum.</param>
    /// <param name="alias">
    /// Set when the answer is a CNAME to a name outside the zone (an ExternalName service) for a
    /// question of another type: the response holds the CNAME, and the server may chase the alias
    /// upstream and append its answer, as resolvers expect of a recursive server.
    /// </param>
    public ResponderAction Respond(ReadOnlySpan<byte> query, Span<byte> response, Span<char> name, int? limit, out int length, out DnsQuery question, out string? alias)
    {
        length = 0;
        alias = null;
        var status = DnsQuery.TryRead(query, name, out question);
        switch (status)
        {
            case DnsQueryStatus.Ignore:
                return ResponderAction.Drop;
            case DnsQueryStatus.FormatError:
                length = DnsResponse.WriteError(response, query, question, DnsResponseCode.FormatError);
                return ResponderAction.Reply;
            case DnsQueryStatus.NotImplemented:
                length = DnsResponse.WriteError(response, query, question, DnsResponseCode.NotImplemented);
                return ResponderAction.Reply;
        }

        // RFC 6891 §6.1.3: a version this server does not implement gets BADVERS.
        if (question.HasEdns && question.EdnsVersion != 0)
        {
            length = DnsResponse.WriteError(response, query, question, DnsResponseCode.BadVersion);
            return ResponderAction.Reply;
        }

        var nameText = name[..question.NameLength];
        var current = zone;
        if (question.Class is not (DnsClass.Internet or DnsClass.Any))
        {
            if (current.Contains(nameText))
            {
                length = DnsResponse.WriteError(response, query, question, DnsResponseCode.Refused);
                return ResponderAction.Reply;
            }

            return ResponderAction.Forward;
        }

        var answer = question.NameIsPlain ? current.Answer(nameText, question.Type) : ZoneAnswer.NotInZone;
        if (answer.Kind == ZoneAnswerKind.NotInZone)
        {
            return ResponderAction.Forward;
        }

        if (answer.CanonicalName is { } target && question.Type is not (DnsType.CNAME or DnsType.ANY) && !current.Contains(target))
        {
            alias = target;
        }

        length = DnsResponse.Write(
            response,
            query,
            question,
            answer.Code,
            authoritative: true,
            answer.Answer,
            answer.Authority,
            answer.Additional,
            limit ?? DnsResponse.UdpLimit(question));
        return ResponderAction.Reply;
    }
}
