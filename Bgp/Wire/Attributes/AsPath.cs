using System.Text;

namespace Routing.Bgp.Wire.Attributes;

/// <summary>AS_PATH segment types: RFC 4271 §4.3 and RFC 5065 (confederations).</summary>
public enum AsPathSegmentType : byte
{
    AsSet = 1,
    AsSequence = 2,
    ConfedSequence = 3,
    ConfedSet = 4,
}

public readonly record struct AsPathSegment(AsPathSegmentType Type, EquatableArray<uint> Asns)
{
    public override string ToString() => Type switch
    {
        AsPathSegmentType.AsSet => "{" + string.Join(',', Asns) + "}",
        AsPathSegmentType.ConfedSequence => "(" + string.Join(' ', Asns) + ")",
        AsPathSegmentType.ConfedSet => "[" + string.Join(',', Asns) + "]",
        _ => string.Join(' ', Asns),
    };
}

/// <summary>An AS_PATH: its segments, and what the decision process and loop checks ask of it.</summary>
public sealed record AsPath(EquatableArray<AsPathSegment> Segments)
{
    public static AsPath Empty { get; } = new(default(EquatableArray<AsPathSegment>));

    public static AsPath Sequence(params uint[] asns) =>
        asns.Length == 0 ? Empty : new AsPath(new[] { new AsPathSegment(AsPathSegmentType.AsSequence, asns) });

    /// <summary>The length the decision process compares (RFC 4271 §9.1.2.2 a): a set counts 1, confederation segments 0.</summary>
    public int Length
    {
        get
        {
            var length = 0;
            foreach (var segment in Segments.AsSpan())
            {
                length += segment.Type switch
                {
                    AsPathSegmentType.AsSequence => segment.Asns.Count,
                    AsPathSegmentType.AsSet => 1,
                    _ => 0,
                };
            }

            return length;
        }
    }

    /// <summary>The AS that sent the route: the first AS of a leading AS_SEQUENCE, or null (locally originated, or a set first).</summary>
    public uint? NeighborAs
    {
        get
        {
            foreach (var segment in Segments.AsSpan())
            {
                if (segment.Type is AsPathSegmentType.ConfedSequence or AsPathSegmentType.ConfedSet)
                {
                    continue;
                }

                return segment.Type == AsPathSegmentType.AsSequence && segment.Asns.Count > 0 ? segment.Asns[0] : null;
            }

            return null;
        }
    }

    public bool Contains(uint asn)
    {
        foreach (var segment in Segments.AsSpan())
        {
            if (segment.Asns.AsSpan().Contains(asn))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>True if any AS number needs four octets (and AS4_PATH must go to a 2-octet peer).</summary>
    public bool NeedsFourOctets
    {
        get
        {
            foreach (var segment in Segments.AsSpan())
            {
                foreach (var asn in segment.Asns.AsSpan())
                {
                    if (asn > ushort.MaxValue)
                    {
                        return true;
                    }
                }
            }

            return false;
        }
    }

    /// <summary>This path with <paramref name="asn"/> prepended, as an eBGP speaker sends it (RFC 4271 §5.1.2).</summary>
    public AsPath Prepend(uint asn)
    {
        var segments = Segments.AsSpan();
        if (segments.Length > 0 && segments[0].Type == AsPathSegmentType.AsSequence && segments[0].Asns.Count < 255)
        {
            var merged = new uint[segments[0].Asns.Count + 1];
            merged[0] = asn;
            segments[0].Asns.AsSpan().CopyTo(merged.AsSpan(1));
            var result = segments.ToArray();
            result[0] = new AsPathSegment(AsPathSegmentType.AsSequence, merged);
            return new AsPath(result);
        }

        var withNew = new AsPathSegment[segments.Length + 1];
        withNew[0] = new AsPathSegment(AsPathSegmentType.AsSequence, new[] { asn });
        segments.CopyTo(withNew.AsSpan(1));
        return new AsPath(withNew);
    }

    /// <summary>This path without its confederation segments (sent out of the confederation, RFC 5065 §5.3).</summary>
    public AsPath WithoutConfederationSegments() =>
        new(Segments.Where(s => s.Type is AsPathSegmentType.AsSequence or AsPathSegmentType.AsSet).ToArray());

    public override string ToString()
    {
        var text = new StringBuilder();
        foreach (var segment in Segments.AsSpan())
        {
            if (text.Length > 0)
            {
                text.Append(' ');
            }

            text.Append(segment.ToString());
        }

        return text.ToString();
    }
}
