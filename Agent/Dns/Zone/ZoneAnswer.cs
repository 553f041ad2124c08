using Routing.Agent.Dns.Wire;

namespace Routing.Agent.Dns.Zone;

public enum ZoneAnswerKind
{
    /// <summary>The name is not the zone's (or a reverse name it does not know): forward it.</summary>
    NotInZone,

    /// <summary>Records of the type asked (or a CNAME).</summary>
    Records,

    /// <summary>The name exists, without records of that type (RFC 2308 §2.2: NOERROR, SOA in authority).</summary>
    NoData,

    /// <summary>No such name (NXDOMAIN, RFC 2308 §2.1).</summary>
    NameError,
}

/// <summary>The zone's answer to one question, as ready-made sections.</summary>
public readonly record struct ZoneAnswer(ZoneAnswerKind Kind, RecordSet? Answer, RecordSet? Authority, RecordSet? Additional, string? CanonicalName = null)
{
    public static ZoneAnswer NotInZone => default;

    public DnsResponseCode Code => Kind == ZoneAnswerKind.NameError ? DnsResponseCode.NameError : DnsResponseCode.NoError;
}
