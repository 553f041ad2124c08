using Routing.Agent.Dns.Wire;

namespace Routing.Agent.Dns.Zone;

/// <summary>
/// The cluster zone, calculated once per change of <see cref="ClusterNames"/> (<see cref="ZoneBuilder"/>)
/// and then only read: every answer is a dictionary lookup returning ready-made record sets. Pure,
/// and safe to share between threads.
/// </summary>
public sealed class ClusterZone
{
    private readonly Dictionary<string, ZoneNode>.AlternateLookup<ReadOnlySpan<char>> lookup;
    private readonly string dottedDomain;

    internal ClusterZone(ZoneOptions options, Dictionary<string, ZoneNode> nodes, RecordSet negativeAuthority)
    {
        Options = options;
        Names = nodes.Count;
        lookup = nodes.GetAlternateLookup<ReadOnlySpan<char>>();
        dottedDomain = "." + options.Domain;
        NegativeAuthority = negativeAuthority;
    }

    public ZoneOptions Options { get; }

    /// <summary>How many names (with the empty non-terminals and reverse names) the zone holds.</summary>
    public int Names { get; }

    /// <summary>The apex SOA, owned by the domain, for the authority section of negative answers (RFC 2308 §3).</summary>
    public RecordSet NegativeAuthority { get; }

    public static ClusterZone Build(ClusterNames names, ZoneOptions options) => ZoneBuilder.Build(names, options);

    /// <summary>Whether the zone is authoritative for <paramref name="name"/> (lower case, no final dot).</summary>
    public bool Contains(ReadOnlySpan<char> name) =>
        name.SequenceEqual(Options.Domain) || name.EndsWith(dottedDomain, StringComparison.Ordinal);

    /// <summary>
    /// The answer to <paramref name="type"/> at <paramref name="name"/> (lower case, no final dot).
    /// Reverse names (in-addr.arpa, ip6.arpa) the zone does not hold are <see cref="ZoneAnswerKind.NotInZone"/>:
    /// they fall through to the upstream resolvers.
    /// </summary>
    public ZoneAnswer Answer(ReadOnlySpan<char> name, DnsType type)
    {
        if (!lookup.TryGetValue(name, out var node))
        {
            return Contains(name) ? new ZoneAnswer(ZoneAnswerKind.NameError, null, NegativeAuthority, null) : ZoneAnswer.NotInZone;
        }

        // A CNAME owner has no other data (RFC 1034 §3.6.2): it answers every type with the alias.
        if (node.Cname is { } alias && type is not DnsType.CNAME)
        {
            return new ZoneAnswer(ZoneAnswerKind.Records, alias, null, null, node.CnameTarget);
        }

        return node.For(type) is { } records
            ? new ZoneAnswer(ZoneAnswerKind.Records, records, null, node.AdditionalFor(type))
            : new ZoneAnswer(ZoneAnswerKind.NoData, null, NegativeAuthority, null);
    }
}
