using System.Net;

namespace Routing.Bgp.Wire.Attributes;

/// <summary>
/// The path attributes of a route, immutable and compared by value, so that routes sharing them
/// share one instance and one UPDATE (update groups). MP_REACH/MP_UNREACH are not here: they
/// carry NLRI and live on <see cref="UpdateMessage"/>. The IPv4 NEXT_HOP is <see cref="NextHop"/>.
/// </summary>
public sealed record PathAttributes
{
    public static PathAttributes Empty { get; } = new();

    public Origin Origin { get; init; } = Origin.Igp;

    public AsPath AsPath { get; init; } = AsPath.Empty;

    /// <summary>The NEXT_HOP attribute (IPv4); null when absent.</summary>
    public IPAddress? NextHop { get; init; }

    public uint? MultiExitDisc { get; init; }

    public uint? LocalPref { get; init; }

    public bool AtomicAggregate { get; init; }

    public Aggregator? Aggregator { get; init; }

    public EquatableArray<uint> Communities { get; init; }

    public uint? OriginatorId { get; init; }

    public EquatableArray<uint> ClusterList { get; init; }

    public EquatableArray<LargeCommunity> LargeCommunities { get; init; }

    /// <summary>Optional transitive attributes this speaker does not know, passed on with the Partial bit set.</summary>
    public EquatableArray<RawAttribute> Unknown { get; init; }

    public override string ToString()
    {
        var parts = new List<string> { $"origin {Origin.ToString().ToUpperInvariant()}", $"as-path [{AsPath}]" };
        if (NextHop is not null)
        {
            parts.Add($"next-hop {NextHop}");
        }

        if (MultiExitDisc is { } med)
        {
            parts.Add($"med {med}");
        }

        if (LocalPref is { } localPref)
        {
            parts.Add($"local-pref {localPref}");
        }

        if (!Communities.IsEmpty)
        {
            parts.Add($"communities {string.Join(' ', Communities.Select(Community.Format))}");
        }

        if (!LargeCommunities.IsEmpty)
        {
            parts.Add($"large-communities {LargeCommunities}");
        }

        return string.Join(", ", parts);
    }
}
