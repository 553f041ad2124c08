using System.Net;
using Routing.Bgp.Wire;
using Routing.Bgp.Wire.Attributes;
using static Routing.Bgp.Tests.Wire.TestWire;

namespace Routing.Bgp.Tests.Wire;

/// <summary>The AS_PATH model, and 4-octet AS numbers over 2-octet sessions (RFC 6793).</summary>
public class AsPathTests
{
    private static readonly SessionOptions TwoOctet = SessionOptions.Initial;
    private static readonly SessionOptions FourOctet = SessionOptions.Modern;

    private static AsPathSegment Segment(AsPathSegmentType type, params uint[] asns) => new(type, asns);

    private static AsPath Path(params AsPathSegment[] segments) => new(segments);

    private static UpdateMessage Decode(SessionOptions options, params byte[][] attributes) =>
        ReadMessage<UpdateMessage>(Update([], Concat(attributes), NlriOf("10.1.0.0/16")), options);

    private static byte[] As4Path(params uint[] asns) =>
        Attribute(0xC0, AttributeType.As4Path, [2, (byte)asns.Length, .. asns.SelectMany(U32)]);

    [Fact]
    public void Length_counts_a_set_as_one_and_confederation_segments_as_nothing()
    {
        // RFC 4271 §9.1.2.2 a, RFC 5065 §5.3.
        var path = Path(
            Segment(AsPathSegmentType.ConfedSequence, 65100, 65101),
            Segment(AsPathSegmentType.AsSequence, 65001, 65002, 65003),
            Segment(AsPathSegmentType.AsSet, 65010, 65011),
            Segment(AsPathSegmentType.ConfedSet, 65102));

        Assert.Equal(4, path.Length);
        Assert.Equal(0, AsPath.Empty.Length);
    }

    [Fact]
    public void NeighborAs_is_the_first_AS_of_a_leading_sequence_after_confederation_segments()
    {
        Assert.Equal(65001u, AsPath.Sequence(65001, 65002).NeighborAs);
        Assert.Equal(65001u, Path(Segment(AsPathSegmentType.ConfedSequence, 65100), Segment(AsPathSegmentType.AsSequence, 65001)).NeighborAs);
        Assert.Null(Path(Segment(AsPathSegmentType.AsSet, 65001, 65002)).NeighborAs);
        Assert.Null(Path(Segment(AsPathSegmentType.ConfedSequence, 65100)).NeighborAs);
        Assert.Null(AsPath.Empty.NeighborAs);
    }

    [Fact]
    public void Contains_looks_in_every_segment()
    {
        var path = Path(Segment(AsPathSegmentType.ConfedSequence, 65100), Segment(AsPathSegmentType.AsSequence, 65001), Segment(AsPathSegmentType.AsSet, 65010));

        Assert.True(path.Contains(65100));
        Assert.True(path.Contains(65001));
        Assert.True(path.Contains(65010));
        Assert.False(path.Contains(65002));
    }

    [Fact]
    public void Prepend_extends_a_leading_sequence_or_starts_a_new_one()
    {
        Assert.Equal(AsPath.Sequence(65000, 65001, 65002), AsPath.Sequence(65001, 65002).Prepend(65000));
        Assert.Equal(AsPath.Sequence(65000), AsPath.Empty.Prepend(65000));
        Assert.Equal(
            Path(Segment(AsPathSegmentType.AsSequence, 65000), Segment(AsPathSegmentType.AsSet, 65001, 65002)),
            Path(Segment(AsPathSegmentType.AsSet, 65001, 65002)).Prepend(65000));

        var full = AsPath.Sequence(Enumerable.Range(1, 255).Select(i => (uint)i).ToArray());
        var prepended = full.Prepend(65000);
        Assert.Equal(2, prepended.Segments.Count);
        Assert.Equal(AsPathSegmentType.AsSequence, prepended.Segments[0].Type);
        Assert.Equal(new uint[] { 65000 }, prepended.Segments[0].Asns.AsSpan().ToArray());
    }

    [Fact]
    public void WithoutConfederationSegments_keeps_sequences_and_sets()
    {
        var path = Path(
            Segment(AsPathSegmentType.ConfedSequence, 65100),
            Segment(AsPathSegmentType.AsSequence, 65001),
            Segment(AsPathSegmentType.ConfedSet, 65101),
            Segment(AsPathSegmentType.AsSet, 65010));

        Assert.Equal(Path(Segment(AsPathSegmentType.AsSequence, 65001), Segment(AsPathSegmentType.AsSet, 65010)), path.WithoutConfederationSegments());
    }

    [Fact]
    public void NeedsFourOctets_is_true_only_above_65535()
    {
        Assert.False(AsPath.Sequence(1, 65535).NeedsFourOctets);
        Assert.True(AsPath.Sequence(1, 65536).NeedsFourOctets);
        Assert.False(AsPath.Empty.NeedsFourOctets);
    }

    [Fact]
    public void ToString_uses_the_usual_notation()
    {
        var path = Path(
            Segment(AsPathSegmentType.ConfedSequence, 65100, 65101),
            Segment(AsPathSegmentType.ConfedSet, 65102, 65103),
            Segment(AsPathSegmentType.AsSequence, 65001, 4200000001),
            Segment(AsPathSegmentType.AsSet, 65010, 65011));

        Assert.Equal("(65100 65101) [65102,65103] 65001 4200000001 {65010,65011}", path.ToString());
        Assert.Equal(string.Empty, AsPath.Empty.ToString());
    }

    [Fact]
    public void Paths_compare_by_value()
    {
        Assert.Equal(AsPath.Sequence(1, 2), AsPath.Sequence(1, 2));
        Assert.Equal(AsPath.Sequence(1, 2).GetHashCode(), AsPath.Sequence(1, 2).GetHashCode());
        Assert.NotEqual(AsPath.Sequence(1, 2), AsPath.Sequence(2, 1));
        Assert.NotEqual(AsPath.Sequence(1, 2), Path(Segment(AsPathSegmentType.AsSet, 1, 2)));
        Assert.Same(AsPath.Empty, AsPath.Sequence());
    }

    [Fact]
    public void A_2_octet_session_gets_AS_TRANS_in_AS_PATH_and_the_real_path_in_AS4_PATH()
    {
        // RFC 6793 §4.2.2.
        var attributes = new PathAttributes { AsPath = AsPath.Sequence(65001, 4200000001, 65002), NextHop = IPAddress.Parse("192.0.2.1") };

        var bytes = new UpdateMessage(attributes: attributes, nlri: [new(Prefix.Parse("10.1.0.0/16"))]).ToArray(TwoOctet);

        Assert.Equal(new byte[] { 0x40, 2, 8, 2, 3, 0xFD, 0xE9, 0x5B, 0xA0, 0xFD, 0xEA }, AttributeOf(bytes, AttributeType.AsPath));
        Assert.Equal(
            new byte[] { 0xC0, 17, 14, 2, 3, 0, 0, 0xFD, 0xE9, 0xFA, 0x56, 0xEA, 0x01, 0, 0, 0xFD, 0xEA },
            AttributeOf(bytes, AttributeType.As4Path));
    }

    [Fact]
    public void A_2_octet_session_rebuilds_the_path_from_AS_PATH_and_AS4_PATH()
    {
        // RFC 6793 §4.2.3.
        var attributes = new PathAttributes { AsPath = AsPath.Sequence(65001, 4200000001, 65002), NextHop = IPAddress.Parse("192.0.2.1") };

        var decoded = RoundTrip(new UpdateMessage(attributes: attributes, nlri: [new(Prefix.Parse("10.1.0.0/16"))]), TwoOctet);

        Assert.Equal(attributes, decoded.Attributes);
        Assert.Empty(decoded.Discarded);
    }

    [Fact]
    public void A_2_octet_session_sends_no_AS4_PATH_when_every_AS_fits_two_octets()
    {
        var attributes = new PathAttributes { AsPath = AsPath.Sequence(65001, 65002), NextHop = IPAddress.Parse("192.0.2.1") };

        var bytes = new UpdateMessage(attributes: attributes, nlri: [new(Prefix.Parse("10.1.0.0/16"))]).ToArray(TwoOctet);

        Assert.Equal(new byte[] { 0x40, 2, 6, 2, 2, 0xFD, 0xE9, 0xFD, 0xEA }, AttributeOf(bytes, AttributeType.AsPath));
        Assert.DoesNotContain(AttributesOf(bytes), a => a.Type == AttributeType.As4Path);
        Assert.Equal(attributes, ReadMessage<UpdateMessage>(bytes, TwoOctet).Attributes);
    }

    [Fact]
    public void A_2_octet_session_gets_AS_TRANS_in_AGGREGATOR_and_the_real_AS_in_AS4_AGGREGATOR()
    {
        var attributes = new PathAttributes
        {
            AsPath = AsPath.Sequence(4200000001),
            NextHop = IPAddress.Parse("192.0.2.1"),
            Aggregator = new Aggregator(4200000001, 0xC0000201),
        };

        var bytes = new UpdateMessage(attributes: attributes, nlri: [new(Prefix.Parse("10.1.0.0/16"))]).ToArray(TwoOctet);
        var decoded = ReadMessage<UpdateMessage>(bytes, TwoOctet);

        Assert.Equal(new byte[] { 0xC0, 7, 6, 0x5B, 0xA0, 192, 0, 2, 1 }, AttributeOf(bytes, AttributeType.Aggregator));
        Assert.Equal(new byte[] { 0xC0, 18, 8, 0xFA, 0x56, 0xEA, 0x01, 192, 0, 2, 1 }, AttributeOf(bytes, AttributeType.As4Aggregator));
        Assert.Equal(attributes, decoded.Attributes);
    }

    [Fact]
    public void Leading_ASes_added_by_2_octet_speakers_are_kept_in_front_of_AS4_PATH()
    {
        // Two OLD speakers prepended 65003 and 65002 after AS4_PATH was built. RFC 6793 §4.2.3
        // takes the leading ASes of AS_PATH and prepends them to AS4_PATH.
        var decoded = Decode(
            TwoOctet,
            OriginIgp,
            AsPath2(65003, 65002, 65001, OpenMessage.AsTrans),
            NextHop(192, 0, 2, 1),
            As4Path(65001, 4200000001));

        var path = decoded.Attributes!.AsPath;
        Assert.Equal(Path(Segment(AsPathSegmentType.AsSequence, 65003, 65002), Segment(AsPathSegmentType.AsSequence, 65001, 4200000001)), path);
        Assert.Equal(4, path.Length);
        Assert.Equal(65003u, path.NeighborAs);
        Assert.Equal("65003 65002 65001 4200000001", path.ToString());
    }

    [Fact]
    public void An_AS4_PATH_longer_than_AS_PATH_is_ignored()
    {
        // RFC 6793 §4.2.3: "the AS4_PATH attribute SHALL be ignored".
        var decoded = Decode(TwoOctet, OriginIgp, AsPath2(65001, OpenMessage.AsTrans), NextHop(192, 0, 2, 1), As4Path(65001, 4200000001, 4200000002));

        Assert.Equal(AsPath.Sequence(65001, OpenMessage.AsTrans), decoded.Attributes!.AsPath);
    }

    [Fact]
    public void AS4_PATH_is_ignored_when_AGGREGATOR_names_a_2_octet_AS()
    {
        // RFC 6793 §4.2.3: an AGGREGATOR other than AS_TRANS means AS4_* come from before a 2-octet aggregation.
        var decoded = Decode(
            TwoOctet,
            OriginIgp,
            AsPath2(65001, OpenMessage.AsTrans),
            NextHop(192, 0, 2, 1),
            Attribute(0xC0, AttributeType.Aggregator, 0xFD, 0xE9, 192, 0, 2, 1),
            As4Path(65001, 4200000001),
            Attribute(0xC0, AttributeType.As4Aggregator, 0xFA, 0x56, 0xEA, 0x01, 192, 0, 2, 2));

        Assert.Equal(AsPath.Sequence(65001, OpenMessage.AsTrans), decoded.Attributes!.AsPath);
        Assert.Equal(new Aggregator(65001, 0xC0000201), decoded.Attributes.Aggregator);
    }

    [Fact]
    public void A_set_counts_as_one_AS_when_merging()
    {
        var decoded = Decode(
            TwoOctet,
            OriginIgp,
            Attribute(0x40, AttributeType.AsPath, 2, 1, 0xFD, 0xEA, 1, 2, 0x5B, 0xA0, 0xFD, 0xEB),
            NextHop(192, 0, 2, 1),
            Attribute(0xC0, AttributeType.As4Path, [1, 2, .. U32(4200000001), .. U32(65003)]));

        Assert.Equal(
            Path(Segment(AsPathSegmentType.AsSequence, 65002), Segment(AsPathSegmentType.AsSet, 4200000001, 65003)),
            decoded.Attributes!.AsPath);
    }

    [Fact]
    public void A_leading_confederation_segment_is_kept_when_merging()
    {
        // RFC 6793 §4.2.3: "a valid AS_CONFED_SEQUENCE or AS_CONFED_SET path segment SHALL be
        // prepended if it is either the leading path segment or is adjacent to a path segment
        // that is prepended". AS4_PATH never carries confederation segments (§6).
        var decoded = Decode(
            TwoOctet,
            OriginIgp,
            Attribute(0x40, AttributeType.AsPath, 3, 1, 0xFE, 0x4C, 2, 2, 0xFD, 0xE9, 0x5B, 0xA0),
            NextHop(192, 0, 2, 1),
            As4Path(65001, 4200000001));

        Assert.Equal(
            Path(Segment(AsPathSegmentType.ConfedSequence, 65100), Segment(AsPathSegmentType.AsSequence, 65001, 4200000001)),
            decoded.Attributes!.AsPath);
    }

    [Fact]
    public void A_confederation_segment_after_a_kept_segment_is_kept_when_merging()
    {
        // AS_PATH: 65001 (65100) AS_TRANS, AS4_PATH: 4200000001. One AS is taken from AS_PATH,
        // the confederation segment next to it comes along, AS_TRANS is replaced.
        var decoded = Decode(
            TwoOctet,
            OriginIgp,
            Attribute(0x40, AttributeType.AsPath, 2, 1, 0xFD, 0xE9, 3, 1, 0xFE, 0x4C, 2, 1, 0x5B, 0xA0),
            NextHop(192, 0, 2, 1),
            As4Path(4200000001));

        Assert.Equal(
            Path(Segment(AsPathSegmentType.AsSequence, 65001), Segment(AsPathSegmentType.ConfedSequence, 65100), Segment(AsPathSegmentType.AsSequence, 4200000001)),
            decoded.Attributes!.AsPath);
    }

    [Fact]
    public void Only_as_many_ASes_as_needed_are_taken_from_a_sequence_when_merging()
    {
        var decoded = Decode(TwoOctet, OriginIgp, AsPath2(65002, OpenMessage.AsTrans, OpenMessage.AsTrans), NextHop(192, 0, 2, 1), As4Path(4200000001, 4200000002));

        Assert.Equal(Path(Segment(AsPathSegmentType.AsSequence, 65002), Segment(AsPathSegmentType.AsSequence, 4200000001, 4200000002)), decoded.Attributes!.AsPath);
    }

    [Fact]
    public void A_confederation_path_with_a_4_octet_AS_survives_a_2_octet_session()
    {
        var attributes = new PathAttributes
        {
            AsPath = Path(Segment(AsPathSegmentType.ConfedSequence, 65100, 65101), Segment(AsPathSegmentType.AsSequence, 4200000001, 65001)),
            NextHop = IPAddress.Parse("192.0.2.1"),
        };

        var bytes = new UpdateMessage(attributes: attributes, nlri: [new(Prefix.Parse("10.1.0.0/16"))]).ToArray(TwoOctet);

        Assert.Equal(
            new byte[] { 0xC0, 17, 10, 2, 2, 0xFA, 0x56, 0xEA, 0x01, 0, 0, 0xFD, 0xE9 },
            AttributeOf(bytes, AttributeType.As4Path));
        Assert.Equal(attributes, ReadMessage<UpdateMessage>(bytes, TwoOctet).Attributes);
    }

    [Fact]
    public void AS4_PATH_with_a_confederation_segment_is_discarded()
    {
        // RFC 6793 §6: such an AS4_PATH is malformed; attribute discard.
        var as4Path = Attribute(0xC0, AttributeType.As4Path, [3, 1, .. U32(65100), 2, 1, .. U32(4200000001)]);

        var decoded = Decode(TwoOctet, OriginIgp, AsPath2(65001, OpenMessage.AsTrans), NextHop(192, 0, 2, 1), as4Path);

        Assert.Null(decoded.TreatAsWithdraw);
        var discarded = Assert.Single(decoded.Discarded);
        Assert.Equal(ErrorAction.AttributeDiscard, discarded.Action);
        Assert.Equal(ErrorSubcodes.OptionalAttributeError, discarded.Subcode);
        Assert.Equal(as4Path, discarded.Data.ToArray());
        Assert.Equal(AsPath.Sequence(65001, OpenMessage.AsTrans), decoded.Attributes!.AsPath);
    }

    [Fact]
    public void AS4_PATH_received_on_a_4_octet_session_is_discarded()
    {
        // RFC 6793 §4.1: a NEW speaker never sends AS4_PATH to a NEW speaker; if received, it is discarded.
        var as4Path = As4Path(4200000009);

        var decoded = Decode(FourOctet, OriginIgp, AsPath4(65001, 4200000001), NextHop(192, 0, 2, 1), as4Path);

        Assert.Null(decoded.TreatAsWithdraw);
        var discarded = Assert.Single(decoded.Discarded);
        Assert.Equal(ErrorAction.AttributeDiscard, discarded.Action);
        Assert.Equal(as4Path, discarded.Data.ToArray());
        Assert.Equal(AsPath.Sequence(65001, 4200000001), decoded.Attributes!.AsPath);
        Assert.Single(decoded.Announced());
    }

    [Fact]
    public void AS4_AGGREGATOR_received_on_a_4_octet_session_is_discarded()
    {
        var as4Aggregator = Attribute(0xC0, AttributeType.As4Aggregator, 0xFA, 0x56, 0xEA, 0x09, 192, 0, 2, 9);

        var decoded = Decode(
            FourOctet,
            OriginIgp,
            AsPath4(65001),
            NextHop(192, 0, 2, 1),
            Attribute(0xC0, AttributeType.Aggregator, [.. U32(65001), 192, 0, 2, 1]),
            as4Aggregator);

        var discarded = Assert.Single(decoded.Discarded);
        Assert.Equal(as4Aggregator, discarded.Data.ToArray());
        Assert.Equal(new Aggregator(65001, 0xC0000201), decoded.Attributes!.Aggregator);
    }
}
