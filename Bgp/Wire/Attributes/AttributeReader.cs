using System.Net;

namespace Routing.Bgp.Wire.Attributes;

/// <summary>The mutable state of decoding one UPDATE's attributes; <see cref="Build"/> makes the immutable result.</summary>
internal sealed class AttributeReader
{
    public Origin? Origin { get; set; }

    public AsPath? AsPath { get; set; }

    public AsPath? As4Path { get; set; }

    public IPAddress? NextHop { get; set; }

    public uint? MultiExitDisc { get; set; }

    public uint? LocalPref { get; set; }

    public bool AtomicAggregate { get; set; }

    public Aggregator? Aggregator { get; set; }

    public Aggregator? As4Aggregator { get; set; }

    public uint[]? Communities { get; set; }

    public uint? OriginatorId { get; set; }

    public uint[]? ClusterList { get; set; }

    public LargeCommunity[]? LargeCommunities { get; set; }

    public List<RawAttribute>? Unknown { get; set; }

    public MpReach? MpReach { get; set; }

    public MpUnreach? MpUnreach { get; set; }

    public PathAttributes Build(in SessionOptions options)
    {
        var asPath = AsPath ?? Attributes.AsPath.Empty;
        var aggregator = Aggregator;

        // RFC 6793 §4.2.3: a 2-octet speaker's path is rebuilt from AS_PATH and AS4_PATH, unless
        // AGGREGATOR shows a 2-octet aggregator (then AS4_* are ignored).
        if (!options.FourOctetAs)
        {
            var aggregatorIsTrans = aggregator is null || aggregator.Value.Asn == OpenMessage.AsTrans;
            if (aggregatorIsTrans && As4Aggregator is { } as4Aggregator && aggregator is not null)
            {
                aggregator = as4Aggregator;
            }

            if (aggregatorIsTrans && As4Path is { } as4Path && as4Path.Length <= asPath.Length)
            {
                asPath = AsPathMerge.Merge(asPath, as4Path);
            }
        }

        return new PathAttributes
        {
            Origin = Origin ?? Attributes.Origin.Incomplete,
            AsPath = asPath,
            NextHop = NextHop,
            MultiExitDisc = MultiExitDisc,
            LocalPref = LocalPref,
            AtomicAggregate = AtomicAggregate,
            Aggregator = aggregator,
            Communities = Communities ?? [],
            OriginatorId = OriginatorId,
            ClusterList = ClusterList ?? [],
            LargeCommunities = LargeCommunities ?? [],
            Unknown = Unknown?.ToArray() ?? [],
        };
    }
}

/// <summary>RFC 6793 §4.2.3: the leading ASes of AS_PATH not covered by AS4_PATH, then AS4_PATH.</summary>
internal static class AsPathMerge
{
    public static AsPath Merge(AsPath asPath, AsPath as4Path)
    {
        var keep = asPath.Length - as4Path.Length;
        var segments = new List<AsPathSegment>();
        foreach (var segment in asPath.Segments)
        {
            // A confederation segment counts no ASes; it is kept when it leads the path or
            // follows a kept segment (RFC 6793 §4.2.3), as AS4_PATH never carries one.
            if (segment.Type is AsPathSegmentType.ConfedSequence or AsPathSegmentType.ConfedSet)
            {
                segments.Add(segment);
                continue;
            }

            if (keep <= 0)
            {
                break;
            }

            switch (segment.Type)
            {
                case AsPathSegmentType.AsSequence when segment.Asns.Count > keep:
                    segments.Add(segment with { Asns = segment.Asns.AsSpan()[..keep].ToArray() });
                    keep = 0;
                    break;
                case AsPathSegmentType.AsSequence:
                    segments.Add(segment);
                    keep -= segment.Asns.Count;
                    break;
                case AsPathSegmentType.AsSet:
                    segments.Add(segment);
                    keep--;
                    break;
            }
        }

        segments.AddRange(as4Path.Segments);
        return new AsPath(segments.ToArray());
    }
}
