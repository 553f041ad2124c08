namespace Routing.Agent.Dns.Wire;

/// <summary>The resource record types the cluster zone answers, and the pseudo-types it reads (RFC 1035 §3.2.2, RFC 3596, RFC 2782, RFC 6891).</summary>
public enum DnsType : ushort
{
    A = 1,
    NS = 2,
    CNAME = 5,
    SOA = 6,
#pragma warning disable CA1720 // PTR is the record type's name (RFC 1035), not a pointer type.
    PTR = 12,
#pragma warning restore CA1720
    TXT = 16,
    AAAA = 28,
    SRV = 33,
    OPT = 41,
    ANY = 255,
}

/// <summary>RCODE values (RFC 1035 §4.1.1; BADVERS is extended, RFC 6891 §9).</summary>
public enum DnsResponseCode : ushort
{
    NoError = 0,
    FormatError = 1,
    ServerFailure = 2,
    NameError = 3,
    NotImplemented = 4,
    Refused = 5,
    BadVersion = 16,
}

/// <summary>The class the zone lives in.</summary>
public static class DnsClass
{
    public const ushort Internet = 1;
    public const ushort Any = 255;
}
