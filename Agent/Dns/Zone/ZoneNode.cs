using Routing.Agent.Dns.Wire;

namespace Routing.Agent.Dns.Zone;

/// <summary>One name of the zone and its record sets by type; a node with none is an empty non-terminal (it exists: NODATA, not NXDOMAIN).</summary>
internal sealed class ZoneNode
{
    public RecordSet? A { get; init; }

    public RecordSet? Aaaa { get; init; }

    public RecordSet? Srv { get; init; }

    /// <summary>The addresses of the SRV targets, for the additional section.</summary>
    public RecordSet? SrvAdditional { get; init; }

    public RecordSet? Ptr { get; init; }

    public RecordSet? Soa { get; init; }

    public RecordSet? Ns { get; init; }

    public RecordSet? NsAdditional { get; init; }

    public RecordSet? Cname { get; init; }

    public string? CnameTarget { get; init; }

    public RecordSet? All { get; init; }

    public RecordSet? For(DnsType type) => type switch
    {
        DnsType.A => A,
        DnsType.AAAA => Aaaa,
        DnsType.SRV => Srv,
        DnsType.PTR => Ptr,
        DnsType.SOA => Soa,
        DnsType.NS => Ns,
        DnsType.CNAME => Cname,
        DnsType.ANY => All,
        _ => null,
    };

    public RecordSet? AdditionalFor(DnsType type) => type switch
    {
        DnsType.SRV => SrvAdditional,
        DnsType.NS => NsAdditional,
        _ => null,
    };
}
