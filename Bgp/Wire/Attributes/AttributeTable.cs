using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Routing.Bgp.Wire.Attributes;

/// <summary>
/// One descriptor per path attribute type: category, decode, encode, and the RFC 7606 action for a
/// malformed value (§7.1–7.14, RFC 6793 §6 for AS4_*, RFC 8092 §6 for LARGE_COMMUNITY).
/// </summary>
internal static class AttributeTable
{
    private static readonly AttributeDescriptor?[] ByType = Build();

    public static AttributeDescriptor? Get(byte type) => ByType[type];

    /// <summary>Descriptors that encode from <see cref="PathAttributes"/>, in type-code order.</summary>
    public static AttributeDescriptor[] Encoders { get; } = ByType.OfType<AttributeDescriptor>().Where(d => d.Encode is not null).ToArray();

    private static AttributeDescriptor?[] Build()
    {
        var table = new AttributeDescriptor?[256];
        AttributeDescriptor[] all =
        [
            new(AttributeType.Origin, "ORIGIN", false, true, ErrorAction.TreatAsWithdraw, ErrorSubcodes.InvalidOriginAttribute, DecodeOrigin, EncodeOrigin) { FixedLength = 1 },
            new(AttributeType.AsPath, "AS_PATH", false, true, ErrorAction.TreatAsWithdraw, ErrorSubcodes.MalformedAsPath, DecodeAsPath, EncodeAsPath),
            new(AttributeType.NextHop, "NEXT_HOP", false, true, ErrorAction.TreatAsWithdraw, ErrorSubcodes.InvalidNextHopAttribute, DecodeNextHop, EncodeNextHop) { FixedLength = 4 },
            new(AttributeType.MultiExitDisc, "MULTI_EXIT_DISC", true, false, ErrorAction.TreatAsWithdraw, ErrorSubcodes.AttributeLengthError, DecodeMed, EncodeMed) { FixedLength = 4 },
            new(AttributeType.LocalPref, "LOCAL_PREF", false, true, ErrorAction.TreatAsWithdraw, ErrorSubcodes.AttributeLengthError, DecodeLocalPref, EncodeLocalPref) { FixedLength = 4 },
            new(AttributeType.AtomicAggregate, "ATOMIC_AGGREGATE", false, true, ErrorAction.AttributeDiscard, ErrorSubcodes.AttributeLengthError, DecodeAtomicAggregate, EncodeAtomicAggregate) { FixedLength = 0 },
            new(AttributeType.Aggregator, "AGGREGATOR", true, true, ErrorAction.AttributeDiscard, ErrorSubcodes.AttributeLengthError, DecodeAggregator, EncodeAggregator),
            new(AttributeType.Communities, "COMMUNITIES", true, true, ErrorAction.TreatAsWithdraw, ErrorSubcodes.OptionalAttributeError, DecodeCommunities, EncodeCommunities),
            new(AttributeType.OriginatorId, "ORIGINATOR_ID", true, false, ErrorAction.TreatAsWithdraw, ErrorSubcodes.AttributeLengthError, DecodeOriginatorId, EncodeOriginatorId) { FixedLength = 4 },
            new(AttributeType.ClusterList, "CLUSTER_LIST", true, false, ErrorAction.TreatAsWithdraw, ErrorSubcodes.AttributeLengthError, DecodeClusterList, EncodeClusterList),
            new(AttributeType.MpReachNlri, "MP_REACH_NLRI", true, false, ErrorAction.SessionReset, ErrorSubcodes.OptionalAttributeError, DecodeMpReach, null),
            new(AttributeType.MpUnreachNlri, "MP_UNREACH_NLRI", true, false, ErrorAction.SessionReset, ErrorSubcodes.OptionalAttributeError, DecodeMpUnreach, null),
            new(AttributeType.As4Path, "AS4_PATH", true, true, ErrorAction.AttributeDiscard, ErrorSubcodes.OptionalAttributeError, DecodeAs4Path, EncodeAs4Path),
            new(AttributeType.As4Aggregator, "AS4_AGGREGATOR", true, true, ErrorAction.AttributeDiscard, ErrorSubcodes.OptionalAttributeError, DecodeAs4Aggregator, EncodeAs4Aggregator),
            new(AttributeType.LargeCommunity, "LARGE_COMMUNITY", true, true, ErrorAction.TreatAsWithdraw, ErrorSubcodes.OptionalAttributeError, DecodeLargeCommunities, EncodeLargeCommunities),
        ];
        foreach (var descriptor in all)
        {
            table[descriptor.Type] = descriptor;
        }

        return table;
    }

    // Decoders of attributes with a FixedLength are only called with that length (UpdateMessage.Decode checks it).

    // ORIGIN, RFC 4271 §5.1.1: one octet, 0..2.
    private static string? DecodeOrigin(ReadOnlySpan<byte> value, in SessionOptions options, AttributeReader reader)
    {
        if (value[0] > 2)
        {
            return $"undefined value {value[0]}";
        }

        reader.Origin = (Origin)value[0];
        return null;
    }

    private static int EncodeOrigin(PathAttributes attributes, in SessionOptions options, Span<byte> destination)
    {
        destination[0] = (byte)attributes.Origin;
        return 1;
    }

    // AS_PATH, RFC 4271 §4.3 / RFC 6793: segments of (type, count, ASNs of 2 or 4 octets).
    private static string? DecodeAsPath(ReadOnlySpan<byte> value, in SessionOptions options, AttributeReader reader)
    {
        var problem = TryReadSegments(value, options.FourOctetAs ? 4 : 2, allowConfederation: true, out var path);
        reader.AsPath = path;
        return problem;
    }

    private static int EncodeAsPath(PathAttributes attributes, in SessionOptions options, Span<byte> destination) =>
        WriteSegments(attributes.AsPath, options.FourOctetAs ? 4 : 2, destination);

    // AS4_PATH, RFC 6793 §3: only between 2-octet speakers; a 4-octet session discards it (§4.1).
    private static string? DecodeAs4Path(ReadOnlySpan<byte> value, in SessionOptions options, AttributeReader reader)
    {
        if (options.FourOctetAs)
        {
            return "AS4_PATH received on a session with 4-octet AS numbers";
        }

        var problem = TryReadSegments(value, 4, allowConfederation: false, out var path);
        reader.As4Path = problem is null ? path : null;
        return problem;
    }

    private static int EncodeAs4Path(PathAttributes attributes, in SessionOptions options, Span<byte> destination) =>
        options.FourOctetAs || !attributes.AsPath.NeedsFourOctets
            ? -1
            : WriteSegments(attributes.AsPath.WithoutConfederationSegments(), 4, destination);

    private static string? TryReadSegments(ReadOnlySpan<byte> value, int asnSize, bool allowConfederation, out AsPath? path)
    {
        // Checked and counted first, so the segments go straight into an array of the right size.
        path = null;
        var segmentCount = 0;
        for (var rest = value; !rest.IsEmpty; segmentCount++)
        {
            if (rest.Length < 2)
            {
                return "truncated segment header";
            }

            var type = rest[0];
            int count = rest[1];
            if (type is < 1 or > 4 || (!allowConfederation && type > 2))
            {
                return $"segment type {type}";
            }

            if (count == 0)
            {
                return "empty segment";
            }

            if (rest.Length < 2 + (count * asnSize))
            {
                return $"segment of {count} AS numbers overruns the attribute";
            }

            rest = rest[(2 + (count * asnSize))..];
        }

        var segments = new AsPathSegment[segmentCount];
        for (var s = 0; s < segments.Length; s++)
        {
            var asns = new uint[value[1]];
            for (var i = 0; i < asns.Length; i++)
            {
                var at = value.Slice(2 + (i * asnSize), asnSize);
                asns[i] = asnSize == 4 ? BinaryPrimitives.ReadUInt32BigEndian(at) : BinaryPrimitives.ReadUInt16BigEndian(at);
            }

            segments[s] = new AsPathSegment((AsPathSegmentType)value[0], asns);
            value = value[(2 + (asns.Length * asnSize))..];
        }

        path = new AsPath(segments);
        return null;
    }

    private static int WriteSegments(AsPath path, int asnSize, Span<byte> destination)
    {
        var offset = 0;
        foreach (var segment in path.Segments)
        {
            // A segment holds at most 255 AS numbers; longer ones are split.
            for (var start = 0; start < segment.Asns.Count; start += 255)
            {
                var count = Math.Min(255, segment.Asns.Count - start);
                destination[offset] = (byte)segment.Type;
                destination[offset + 1] = (byte)count;
                offset += 2;
                foreach (var asn in segment.Asns.AsSpan().Slice(start, count))
                {
                    if (asnSize == 4)
                    {
                        BinaryPrimitives.WriteUInt32BigEndian(destination[offset..], asn);
                    }
                    else
                    {
                        BinaryPrimitives.WriteUInt16BigEndian(destination[offset..], asn > ushort.MaxValue ? OpenMessage.AsTrans : (ushort)asn);
                    }

                    offset += asnSize;
                }
            }
        }

        return offset;
    }

    // NEXT_HOP, RFC 4271 §5.1.3 / RFC 7606 §7.3: four octets, a usable unicast address.
    private static string? DecodeNextHop(ReadOnlySpan<byte> value, in SessionOptions options, AttributeReader reader)
    {
        var address = BinaryPrimitives.ReadUInt32BigEndian(value);
        if (address == 0 || address >= 0xE0000000)
        {
            return $"{new IPAddress(value)} is not a unicast address";
        }

        reader.NextHop = new IPAddress(value);
        return null;
    }

    private static int EncodeNextHop(PathAttributes attributes, in SessionOptions options, Span<byte> destination) =>
        attributes.NextHop is { AddressFamily: AddressFamily.InterNetwork } nextHop && nextHop.TryWriteBytes(destination, out var written)
            ? written
            : -1;

    private static string? DecodeMed(ReadOnlySpan<byte> value, in SessionOptions options, AttributeReader reader)
    {
        reader.MultiExitDisc = BinaryPrimitives.ReadUInt32BigEndian(value);
        return null;
    }

    private static int EncodeMed(PathAttributes attributes, in SessionOptions options, Span<byte> destination) =>
        WriteUInt32(attributes.MultiExitDisc, destination);

    private static string? DecodeLocalPref(ReadOnlySpan<byte> value, in SessionOptions options, AttributeReader reader)
    {
        reader.LocalPref = BinaryPrimitives.ReadUInt32BigEndian(value);
        return null;
    }

    private static int EncodeLocalPref(PathAttributes attributes, in SessionOptions options, Span<byte> destination) =>
        WriteUInt32(attributes.LocalPref, destination);

    private static string? DecodeAtomicAggregate(ReadOnlySpan<byte> value, in SessionOptions options, AttributeReader reader)
    {
        reader.AtomicAggregate = true;
        return null;
    }

    private static int EncodeAtomicAggregate(PathAttributes attributes, in SessionOptions options, Span<byte> destination) =>
        attributes.AtomicAggregate ? 0 : -1;

    // AGGREGATOR, RFC 4271 §5.1.7 / RFC 6793: AS (2 or 4 octets) and an IPv4 address.
    private static string? DecodeAggregator(ReadOnlySpan<byte> value, in SessionOptions options, AttributeReader reader)
    {
        var asnSize = options.FourOctetAs ? 4 : 2;
        if (value.Length != asnSize + 4)
        {
            return $"length {value.Length} (expected {asnSize + 4})";
        }

        var asn = asnSize == 4 ? BinaryPrimitives.ReadUInt32BigEndian(value) : BinaryPrimitives.ReadUInt16BigEndian(value);
        reader.Aggregator = new Aggregator(asn, BinaryPrimitives.ReadUInt32BigEndian(value[asnSize..]));
        return null;
    }

    private static int EncodeAggregator(PathAttributes attributes, in SessionOptions options, Span<byte> destination)
    {
        if (attributes.Aggregator is not { } aggregator)
        {
            return -1;
        }

        if (options.FourOctetAs)
        {
            BinaryPrimitives.WriteUInt32BigEndian(destination, aggregator.Asn);
            BinaryPrimitives.WriteUInt32BigEndian(destination[4..], aggregator.Address);
            return 8;
        }

        BinaryPrimitives.WriteUInt16BigEndian(destination, aggregator.Asn > ushort.MaxValue ? OpenMessage.AsTrans : (ushort)aggregator.Asn);
        BinaryPrimitives.WriteUInt32BigEndian(destination[2..], aggregator.Address);
        return 6;
    }

    private static string? DecodeAs4Aggregator(ReadOnlySpan<byte> value, in SessionOptions options, AttributeReader reader)
    {
        if (options.FourOctetAs)
        {
            return "AS4_AGGREGATOR received on a session with 4-octet AS numbers";
        }

        if (value.Length != 8)
        {
            return $"length {value.Length} (expected 8)";
        }

        reader.As4Aggregator = new Aggregator(BinaryPrimitives.ReadUInt32BigEndian(value), BinaryPrimitives.ReadUInt32BigEndian(value[4..]));
        return null;
    }

    private static int EncodeAs4Aggregator(PathAttributes attributes, in SessionOptions options, Span<byte> destination)
    {
        if (options.FourOctetAs || attributes.Aggregator is not { Asn: > ushort.MaxValue } aggregator)
        {
            return -1;
        }

        BinaryPrimitives.WriteUInt32BigEndian(destination, aggregator.Asn);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], aggregator.Address);
        return 8;
    }

    private static string? DecodeCommunities(ReadOnlySpan<byte> value, in SessionOptions options, AttributeReader reader)
    {
        var problem = ReadUInt32Array(value, out var values);
        reader.Communities = values;
        return problem;
    }

    private static int EncodeCommunities(PathAttributes attributes, in SessionOptions options, Span<byte> destination) =>
        WriteUInt32Array(attributes.Communities, destination);

    private static string? DecodeOriginatorId(ReadOnlySpan<byte> value, in SessionOptions options, AttributeReader reader)
    {
        reader.OriginatorId = BinaryPrimitives.ReadUInt32BigEndian(value);
        return null;
    }

    private static int EncodeOriginatorId(PathAttributes attributes, in SessionOptions options, Span<byte> destination) =>
        WriteUInt32(attributes.OriginatorId, destination);

    private static string? DecodeClusterList(ReadOnlySpan<byte> value, in SessionOptions options, AttributeReader reader)
    {
        var problem = ReadUInt32Array(value, out var values);
        reader.ClusterList = values;
        return problem;
    }

    private static int EncodeClusterList(PathAttributes attributes, in SessionOptions options, Span<byte> destination) =>
        WriteUInt32Array(attributes.ClusterList, destination);

    // LARGE_COMMUNITY, RFC 8092 §3: 12 octets each.
    private static string? DecodeLargeCommunities(ReadOnlySpan<byte> value, in SessionOptions options, AttributeReader reader)
    {
        if (value.IsEmpty || value.Length % 12 != 0)
        {
            return $"length {value.Length} (expected a non-zero multiple of 12)";
        }

        var values = new LargeCommunity[value.Length / 12];
        for (var i = 0; i < values.Length; i++)
        {
            var at = value.Slice(12 * i, 12);
            values[i] = new LargeCommunity(
                BinaryPrimitives.ReadUInt32BigEndian(at),
                BinaryPrimitives.ReadUInt32BigEndian(at[4..]),
                BinaryPrimitives.ReadUInt32BigEndian(at[8..]));
        }

        reader.LargeCommunities = values;
        return null;
    }

    private static int EncodeLargeCommunities(PathAttributes attributes, in SessionOptions options, Span<byte> destination)
    {
        if (attributes.LargeCommunities.IsEmpty)
        {
            return -1;
        }

        var offset = 0;
        foreach (var community in attributes.LargeCommunities)
        {
            BinaryPrimitives.WriteUInt32BigEndian(destination[offset..], community.GlobalAdministrator);
            BinaryPrimitives.WriteUInt32BigEndian(destination[(offset + 4)..], community.LocalData1);
            BinaryPrimitives.WriteUInt32BigEndian(destination[(offset + 8)..], community.LocalData2);
            offset += 12;
        }

        return offset;
    }

    // MP_REACH_NLRI, RFC 4760 §3:
    // +---------------------------------------------------------+
    // | Address Family Identifier (2 octets)                    |
    // | Subsequent Address Family Identifier (1 octet)          |
    // | Length of Next Hop Network Address (1 octet)            |
    // | Network Address of Next Hop (variable)                  |
    // | Reserved (1 octet)                                      |
    // | Network Layer Reachability Information (variable)       |
    // +---------------------------------------------------------+
    private static string? DecodeMpReach(ReadOnlySpan<byte> value, in SessionOptions options, AttributeReader reader)
    {
        if (value.Length < 5)
        {
            return "shorter than its fixed fields";
        }

        var family = new AfiSafi(BinaryPrimitives.ReadUInt16BigEndian(value), value[2]);
        int nextHopLength = value[3];
        if (value.Length < 5 + nextHopLength)
        {
            return $"next hop length {nextHopLength} overruns the attribute";
        }

        if (!family.IsSupported)
        {
            // Not negotiated, so never sent by a conforming peer; nothing in it is used.
            return null;
        }

        var nextHop = value.Slice(4, nextHopLength);
        IPAddress? global;
        IPAddress? linkLocal = null;
        switch (nextHopLength)
        {
            case 4 when family.Afi == AfiSafi.AfiIPv4:
                global = new IPAddress(nextHop);
                break;
            case 16:
                global = new IPAddress(nextHop);
                break;
            case 32:
                global = new IPAddress(nextHop[..16]);
                linkLocal = new IPAddress(nextHop[16..]);
                break;
            default:
                return $"next hop length {nextHopLength} for {family}";
        }

        if (!NlriCodec.TryRead(value[(5 + nextHopLength)..], family.Afi == AfiSafi.AfiIPv6, options.AddPath(family), out var nlri, out var problem))
        {
            return problem;
        }

        reader.MpReach = new MpReach(family, global, linkLocal, nlri);
        return null;
    }

    // MP_UNREACH_NLRI, RFC 4760 §4: AFI (2), SAFI (1), withdrawn routes.
    private static string? DecodeMpUnreach(ReadOnlySpan<byte> value, in SessionOptions options, AttributeReader reader)
    {
        if (value.Length < 3)
        {
            return "shorter than its fixed fields";
        }

        var family = new AfiSafi(BinaryPrimitives.ReadUInt16BigEndian(value), value[2]);
        if (!family.IsSupported)
        {
            return null;
        }

        if (!NlriCodec.TryRead(value[3..], family.Afi == AfiSafi.AfiIPv6, options.AddPath(family), out var withdrawn, out var problem))
        {
            return problem;
        }

        reader.MpUnreach = new MpUnreach(family, withdrawn);
        return null;
    }

    // The setter is a static lambda taking the reader: one capturing it would allocate a closure per UPDATE.
    private static int WriteUInt32(uint? value, Span<byte> destination)
    {
        if (value is not { } v)
        {
            return -1;
        }

        BinaryPrimitives.WriteUInt32BigEndian(destination, v);
        return 4;
    }

    private static string? ReadUInt32Array(ReadOnlySpan<byte> value, out uint[]? values)
    {
        values = null;
        if (value.IsEmpty || value.Length % 4 != 0)
        {
            return $"length {value.Length} (expected a non-zero multiple of 4)";
        }

        values = new uint[value.Length / 4];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = BinaryPrimitives.ReadUInt32BigEndian(value[(4 * i)..]);
        }

        return null;
    }

    private static int WriteUInt32Array(EquatableArray<uint> values, Span<byte> destination)
    {
        if (values.IsEmpty)
        {
            return -1;
        }

        for (var i = 0; i < values.Count; i++)
        {
            BinaryPrimitives.WriteUInt32BigEndian(destination[(4 * i)..], values[i]);
        }

        return 4 * values.Count;
    }
}
