namespace Routing.Agent.Dns.Zone;

/// <summary>The cluster zone's settings: its domain and the TTLs of its answers.</summary>
public sealed record ZoneOptions
{
    /// <summary>The cluster domain, lower case, no final dot.</summary>
    public string Domain { get; init; } = "cluster.local";

    /// <summary>TTL of every record the zone answers with, in seconds.</summary>
    public uint Ttl { get; init; } = 30;

    /// <summary>How long a resolver may remember that a name or a type is not there (the SOA's TTL and minimum, RFC 2308 §5).</summary>
    public uint NegativeTtl { get; init; } = 30;

    /// <summary>The server's own address, given as the zone's name server <c>ns.dns.&lt;domain&gt;</c>; none when null.</summary>
    public System.Net.IPAddress? NameServerAddress { get; init; }

    /// <summary>The options with <see cref="Domain"/> in canonical form; throws for a domain that is not a name.</summary>
    public ZoneOptions Normalized()
    {
        var domain = Domain.Trim().TrimEnd('.').ToLowerInvariant();
        if (domain.Length == 0 || domain.Length > 200 || domain.Split('.').Any(l => l.Length is 0 or > 63))
        {
            throw new ArgumentException($"cluster domain \"{Domain}\" is not a domain name (e.g. cluster.local)");
        }

        return this with { Domain = domain };
    }
}
