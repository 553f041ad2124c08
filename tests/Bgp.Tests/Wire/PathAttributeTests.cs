using System.Net;
using Routing.Bgp.Wire;
using Routing.Bgp.Wire.Attributes;
using static Routing.Bgp.Tests.Wire.TestWire;

namespace Routing.Bgp.Tests.Wire;

/// <summary>Each path attribute's flags and value on the wire (RFC 4271 §4.3, §5.1), and back.</summary>
public class PathAttributeTests
{
    private static readonly SessionOptions Options = SessionOptions.Modern;

    private static readonly PathAttributes Base = new()
    {
        AsPath = AsPath.Sequence(65001),
        NextHop = IPAddress.Parse("192.0.2.1"),
    };

    /// <summary>Encodes an announcement with <paramref name="attributes"/>; returns the attribute of <paramref name="type"/> and the decoded attributes.</summary>
    private static (byte[] Wire, PathAttributes Decoded) Encode(PathAttributes attributes, byte type, SessionOptions? options = null)
    {
        var session = options ?? Options;
        var bytes = new UpdateMessage(attributes: attributes, nlri: [new(Prefix.Parse("10.1.0.0/16"))]).ToArray(session);
        var decoded = ReadMessage<UpdateMessage>(bytes, session);
        Assert.Null(decoded.TreatAsWithdraw);
        Assert.Empty(decoded.Discarded);
        return (AttributeOf(bytes, type), decoded.Attributes!);
    }

    [Theory]
    [InlineData(Origin.Igp, 0)]
    [InlineData(Origin.Egp, 1)]
    [InlineData(Origin.Incomplete, 2)]
    public void ORIGIN_is_well_known_transitive_with_one_octet(Origin origin, byte value)
    {
        var (wire, decoded) = Encode(Base with { Origin = origin }, AttributeType.Origin);

        Assert.Equal(new byte[] { 0x40, 1, 1, value }, wire);
        Assert.Equal(origin, decoded.Origin);
    }

    [Fact]
    public void AS_PATH_with_4_octet_ASNs_is_segment_type_count_then_ASNs()
    {
        var (wire, decoded) = Encode(Base with { AsPath = AsPath.Sequence(65001, 4200000001) }, AttributeType.AsPath);

        Assert.Equal(new byte[] { 0x40, 2, 10, 2, 2, 0, 0, 0xFD, 0xE9, 0xFA, 0x56, 0xEA, 0x01 }, wire);
        Assert.Equal(AsPath.Sequence(65001, 4200000001), decoded.AsPath);
    }

    [Theory]
    [InlineData(AsPathSegmentType.AsSet, 1)]
    [InlineData(AsPathSegmentType.AsSequence, 2)]
    [InlineData(AsPathSegmentType.ConfedSequence, 3)]
    [InlineData(AsPathSegmentType.ConfedSet, 4)]
    public void AS_PATH_segment_types_have_their_RFC_codes(AsPathSegmentType type, byte code)
    {
        // RFC 4271 §4.3 (AS_SET 1, AS_SEQUENCE 2) and RFC 5065 §3 (AS_CONFED_SEQUENCE 3, AS_CONFED_SET 4).
        var path = new AsPath(new AsPathSegment[] { new(type, new uint[] { 65010, 65011 }) });

        var (wire, decoded) = Encode(Base with { AsPath = path }, AttributeType.AsPath);

        Assert.Equal(new byte[] { 0x40, 2, 10, code, 2, 0, 0, 0xFD, 0xF2, 0, 0, 0xFD, 0xF3 }, wire);
        Assert.Equal(path, decoded.AsPath);
    }

    [Fact]
    public void AS_PATH_of_several_segments_keeps_their_order()
    {
        var path = new AsPath(new AsPathSegment[]
        {
            new(AsPathSegmentType.ConfedSequence, new uint[] { 65100 }),
            new(AsPathSegmentType.AsSequence, new uint[] { 65001, 65002 }),
            new(AsPathSegmentType.AsSet, new uint[] { 65003, 65004 }),
        });

        var (_, decoded) = Encode(Base with { AsPath = path }, AttributeType.AsPath);

        Assert.Equal(path, decoded.AsPath);
    }

    [Fact]
    public void An_empty_AS_PATH_is_an_attribute_of_length_zero()
    {
        // RFC 4271 §5.1.2: a route originated inside the AS, sent to an internal peer.
        var (wire, decoded) = Encode(Base with { AsPath = AsPath.Empty }, AttributeType.AsPath);

        Assert.Equal(new byte[] { 0x40, 2, 0 }, wire);
        Assert.Equal(AsPath.Empty, decoded.AsPath);
    }

    [Fact]
    public void An_AS_PATH_segment_of_more_than_255_ASNs_is_split()
    {
        var asns = Enumerable.Range(1, 300).Select(i => (uint)i).ToArray();

        var (wire, decoded) = Encode(Base with { AsPath = AsPath.Sequence(asns) }, AttributeType.AsPath);

        // 2 + 255×4 + 2 + 45×4 = 1204 octets, so the length takes two octets.
        Assert.Equal(new byte[] { 0x50, 2, 0x04, 0xB4, 2, 255 }, wire[..6]);
        Assert.Equal([255, 45], decoded.AsPath.Segments.Select(s => s.Asns.Count));
        Assert.Equal(asns, decoded.AsPath.Segments.SelectMany(s => s.Asns));
        Assert.Equal(300, decoded.AsPath.Length);
    }

    [Fact]
    public void NEXT_HOP_is_well_known_transitive_with_four_octets()
    {
        var (wire, decoded) = Encode(Base with { NextHop = IPAddress.Parse("198.51.100.7") }, AttributeType.NextHop);

        Assert.Equal(new byte[] { 0x40, 3, 4, 198, 51, 100, 7 }, wire);
        Assert.Equal(IPAddress.Parse("198.51.100.7"), decoded.NextHop);
    }

    [Fact]
    public void MULTI_EXIT_DISC_is_optional_non_transitive_with_four_octets()
    {
        var (wire, decoded) = Encode(Base with { MultiExitDisc = 0x01020304 }, AttributeType.MultiExitDisc);

        Assert.Equal(new byte[] { 0x80, 4, 4, 1, 2, 3, 4 }, wire);
        Assert.Equal(0x01020304u, decoded.MultiExitDisc);
    }

    [Fact]
    public void LOCAL_PREF_is_well_known_with_four_octets()
    {
        var (wire, decoded) = Encode(Base with { LocalPref = 100 }, AttributeType.LocalPref);

        Assert.Equal(new byte[] { 0x40, 5, 4, 0, 0, 0, 100 }, wire);
        Assert.Equal(100u, decoded.LocalPref);
    }

    [Fact]
    public void ATOMIC_AGGREGATE_is_well_known_with_no_value()
    {
        var (wire, decoded) = Encode(Base with { AtomicAggregate = true }, AttributeType.AtomicAggregate);

        Assert.Equal(new byte[] { 0x40, 6, 0 }, wire);
        Assert.True(decoded.AtomicAggregate);
    }

    [Fact]
    public void AGGREGATOR_on_a_4_octet_session_is_a_4_octet_AS_and_an_address()
    {
        var (wire, decoded) = Encode(Base with { Aggregator = new Aggregator(4200000001, 0xC0000201) }, AttributeType.Aggregator);

        Assert.Equal(new byte[] { 0xC0, 7, 8, 0xFA, 0x56, 0xEA, 0x01, 192, 0, 2, 1 }, wire);
        Assert.Equal(new Aggregator(4200000001, 0xC0000201), decoded.Aggregator);
    }

    [Fact]
    public void AGGREGATOR_on_a_2_octet_session_is_a_2_octet_AS_and_an_address()
    {
        var (wire, decoded) = Encode(Base with { Aggregator = new Aggregator(65001, 0xC0000201) }, AttributeType.Aggregator, SessionOptions.Initial);

        Assert.Equal(new byte[] { 0xC0, 7, 6, 0xFD, 0xE9, 192, 0, 2, 1 }, wire);
        Assert.Equal(new Aggregator(65001, 0xC0000201), decoded.Aggregator);
    }

    [Fact]
    public void COMMUNITIES_is_optional_transitive_with_four_octets_each()
    {
        var (wire, decoded) = Encode(Base with { Communities = new uint[] { Community.Of(65001, 100), Community.NoExport } }, AttributeType.Communities);

        Assert.Equal(new byte[] { 0xC0, 8, 8, 0xFD, 0xE9, 0, 100, 0xFF, 0xFF, 0xFF, 0x01 }, wire);
        Assert.Equal(new uint[] { Community.Of(65001, 100), Community.NoExport }, decoded.Communities.AsSpan().ToArray());
    }

    [Fact]
    public void ORIGINATOR_ID_is_optional_non_transitive_with_four_octets()
    {
        // RFC 4456 §8.
        var (wire, decoded) = Encode(Base with { OriginatorId = 0x0A000001 }, AttributeType.OriginatorId);

        Assert.Equal(new byte[] { 0x80, 9, 4, 10, 0, 0, 1 }, wire);
        Assert.Equal(0x0A000001u, decoded.OriginatorId);
    }

    [Fact]
    public void CLUSTER_LIST_is_optional_non_transitive_with_four_octets_each()
    {
        var (wire, decoded) = Encode(Base with { ClusterList = new uint[] { 0x0A000002, 0x0A000003 } }, AttributeType.ClusterList);

        Assert.Equal(new byte[] { 0x80, 10, 8, 10, 0, 0, 2, 10, 0, 0, 3 }, wire);
        Assert.Equal(new uint[] { 0x0A000002, 0x0A000003 }, decoded.ClusterList.AsSpan().ToArray());
    }

    [Fact]
    public void LARGE_COMMUNITY_is_optional_transitive_with_twelve_octets_each()
    {
        // RFC 8092 §3: global administrator, local data part 1, local data part 2.
        var (wire, decoded) = Encode(Base with { LargeCommunities = new LargeCommunity[] { new(4200000001, 1, 2) } }, AttributeType.LargeCommunity);

        Assert.Equal(new byte[] { 0xC0, 32, 12, 0xFA, 0x56, 0xEA, 0x01, 0, 0, 0, 1, 0, 0, 0, 2 }, wire);
        Assert.Equal([new LargeCommunity(4200000001, 1, 2)], decoded.LargeCommunities);
    }

    [Fact]
    public void Absent_optional_attributes_are_not_written()
    {
        var bytes = new UpdateMessage(attributes: Base, nlri: [new(Prefix.Parse("10.1.0.0/16"))]).ToArray(Options);

        Assert.Equal(new byte[] { 1, 2, 3 }, AttributesOf(bytes).Select(a => a.Type));
    }

    [Fact]
    public void Communities_format_by_name_or_as_asn_colon_value()
    {
        Assert.Equal("no-export", Community.Format(Community.NoExport));
        Assert.Equal("no-advertise", Community.Format(Community.NoAdvertise));
        Assert.Equal("no-export-subconfed", Community.Format(Community.NoExportSubconfed));
        Assert.Equal("65001:100", Community.Format(Community.Of(65001, 100)));
        Assert.Equal("4200000001:1:2", new LargeCommunity(4200000001, 1, 2).ToString());
    }

    [Fact]
    public void PathAttributes_compare_by_value()
    {
        var a = Base with { Communities = new uint[] { 1, 2 }, LargeCommunities = new LargeCommunity[] { new(1, 2, 3) } };
        var b = Base with { Communities = new uint[] { 1, 2 }, LargeCommunities = new LargeCommunity[] { new(1, 2, 3) } };

        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(a, b with { Communities = new uint[] { 2, 1 } });
        Assert.Equal(PathAttributes.Empty, new PathAttributes { Communities = Array.Empty<uint>() });
    }

    [Fact]
    public void PathAttributes_ToString_lists_what_is_set()
    {
        var attributes = Base with { MultiExitDisc = 5, LocalPref = 100, Communities = new uint[] { Community.NoExport, Community.Of(65001, 7) }, LargeCommunities = new LargeCommunity[] { new(1, 2, 3) } };

        Assert.Equal(
            "origin IGP, as-path [65001], next-hop 192.0.2.1, med 5, local-pref 100, communities no-export 65001:7, large-communities 1:2:3",
            attributes.ToString());
    }
}
