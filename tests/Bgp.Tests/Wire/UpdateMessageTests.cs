using System.Net;
using Routing.Bgp.Wire;
using Routing.Bgp.Wire.Attributes;
using static Routing.Bgp.Tests.Wire.TestWire;

namespace Routing.Bgp.Tests.Wire;

/// <summary>UPDATE, RFC 4271 §4.3, with MP_REACH/MP_UNREACH (RFC 4760), ADD-PATH (RFC 7911) and End-of-RIB (RFC 4724).</summary>
public class UpdateMessageTests
{
    private static readonly SessionOptions Options = SessionOptions.Modern;

    private static readonly PathAttributes Simple = new()
    {
        Origin = Origin.Igp,
        AsPath = AsPath.Sequence(65001),
        NextHop = IPAddress.Parse("192.0.2.1"),
    };

    private static Nlri N(string prefix, uint pathId = 0) => new(Prefix.Parse(prefix), pathId);

    [Fact]
    public void Encodes_an_IPv4_announcement_to_the_RFC_layout()
    {
        var update = new UpdateMessage(attributes: Simple, nlri: [N("10.1.2.0/23")]);

        byte[] expected =
        [
            .. Marker, 0x00, 0x2F, 0x02,
            0x00, 0x00,
            0x00, 0x14,
            0x40, 0x01, 0x01, 0x00,
            0x40, 0x02, 0x06, 0x02, 0x01, 0x00, 0x00, 0xFD, 0xE9,
            0x40, 0x03, 0x04, 0xC0, 0x00, 0x02, 0x01,
            0x17, 0x0A, 0x01, 0x02,
        ];
        Assert.Equal(expected, update.ToArray(Options));
    }

    [Fact]
    public void Decodes_an_IPv4_announcement()
    {
        var bytes = Update([], Concat(OriginIgp, AsPath4(65001), NextHop(192, 0, 2, 1)), NlriOf("10.1.2.0/23", "10.3.0.0/16"));

        var update = ReadMessage<UpdateMessage>(bytes, Options);

        Assert.Equal(BgpMessageType.Update, update.Type);
        Assert.Equal(Simple, update.Attributes);
        Assert.Equal([N("10.1.2.0/23"), N("10.3.0.0/16")], update.Nlri);
        Assert.Empty(update.Withdrawn);
        Assert.Null(update.MpReach);
        Assert.Null(update.MpUnreach);
        Assert.Null(update.TreatAsWithdraw);
        Assert.Empty(update.Discarded);
        Assert.Null(update.EndOfRib);
        Assert.Equal([(AfiSafi.Ipv4Unicast, N("10.1.2.0/23")), (AfiSafi.Ipv4Unicast, N("10.3.0.0/16"))], update.Announced());
        Assert.Empty(update.WithdrawnRoutes());
        Assert.Equal(IPAddress.Parse("192.0.2.1"), update.NextHopFor(AfiSafi.Ipv4Unicast));
        Assert.Null(update.NextHopFor(AfiSafi.Ipv6Unicast));
    }

    [Fact]
    public void Every_attribute_survives_a_round_trip()
    {
        var attributes = new PathAttributes
        {
            Origin = Origin.Egp,
            AsPath = new AsPath(new AsPathSegment[]
            {
                new(AsPathSegmentType.ConfedSequence, new uint[] { 65100, 65101 }),
                new(AsPathSegmentType.ConfedSet, new uint[] { 65102 }),
                new(AsPathSegmentType.AsSequence, new uint[] { 65001, 4200000001 }),
                new(AsPathSegmentType.AsSet, new uint[] { 65010, 65011 }),
            }),
            NextHop = IPAddress.Parse("192.0.2.1"),
            MultiExitDisc = 100,
            LocalPref = 200,
            AtomicAggregate = true,
            Aggregator = new Aggregator(4200000001, 0xC0000201),
            Communities = new uint[] { Community.Of(65001, 100), Community.NoExport, Community.NoAdvertise },
            OriginatorId = 0x0A000001,
            ClusterList = new uint[] { 0x0A000002, 0x0A000003 },
            LargeCommunities = new LargeCommunity[] { new(4200000001, 1, 2), new(65001, 0, 4294967295) },
        };
        var update = new UpdateMessage(withdrawn: [N("10.9.0.0/16")], attributes: attributes, nlri: [N("10.1.0.0/16"), N("0.0.0.0/0")]);

        var decoded = RoundTrip(update, Options);

        Assert.Equal(attributes, decoded.Attributes);
        Assert.Equal(update.Nlri, decoded.Nlri);
        Assert.Equal(update.Withdrawn, decoded.Withdrawn);
        Assert.Null(decoded.TreatAsWithdraw);
        Assert.Empty(decoded.Discarded);
    }

    [Fact]
    public void Attributes_go_out_in_type_code_order_with_MP_REACH_and_MP_UNREACH_first()
    {
        // RFC 4271 §5 (ascending type codes) and RFC 7606 §5.1 (MP_* first).
        var attributes = new PathAttributes
        {
            AsPath = AsPath.Sequence(65001),
            NextHop = IPAddress.Parse("192.0.2.1"),
            MultiExitDisc = 1,
            LocalPref = 2,
            AtomicAggregate = true,
            Aggregator = new Aggregator(65001, 1),
            Communities = new uint[] { 1 },
            OriginatorId = 1,
            ClusterList = new uint[] { 1 },
            LargeCommunities = new LargeCommunity[] { new(1, 2, 3) },
            Unknown = new RawAttribute[] { new(0xC0, 99, new byte[] { 1 }) },
        };
        var update = new UpdateMessage(
            attributes: attributes,
            nlri: [N("10.1.0.0/16")],
            mpReach: new MpReach(AfiSafi.Ipv6Unicast, IPAddress.Parse("2001:db8::1"), null, [N("2001:db8:1::/48")]),
            mpUnreach: new MpUnreach(AfiSafi.Ipv6Unicast, [N("2001:db8:2::/48")]));

        var types = AttributesOf(update.ToArray(Options)).Select(a => a.Type);

        Assert.Equal(new byte[] { 14, 15, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 32, 99 }, types);
    }

    [Fact]
    public void A_withdrawal_only_UPDATE_carries_no_attributes()
    {
        var update = new UpdateMessage(withdrawn: [N("10.1.0.0/16"), N("10.2.0.0/24")]);

        var bytes = update.ToArray(Options);
        var decoded = ReadMessage<UpdateMessage>(bytes, Options);

        Assert.Equal([.. Marker, 0, 30, 2, 0, 7, 16, 10, 1, 24, 10, 2, 0, 0, 0], bytes);
        Assert.Null(decoded.Attributes);
        Assert.Empty(decoded.Nlri);
        Assert.Empty(decoded.Announced());
        Assert.Equal([(AfiSafi.Ipv4Unicast, N("10.1.0.0/16")), (AfiSafi.Ipv4Unicast, N("10.2.0.0/24"))], decoded.WithdrawnRoutes());
        Assert.Null(decoded.EndOfRib);
    }

    [Fact]
    public void MP_REACH_carries_IPv6_routes_with_a_global_and_a_link_local_next_hop()
    {
        // RFC 4760 §3, RFC 2545 §3: a 32-octet next hop is global then link-local.
        var reach = new MpReach(AfiSafi.Ipv6Unicast, IPAddress.Parse("2001:db8::1"), IPAddress.Parse("fe80::1"), [N("2001:db8:1::/48"), N("2001:db8:2::/64")]);
        var update = new UpdateMessage(attributes: new PathAttributes { AsPath = AsPath.Sequence(65001) }, mpReach: reach);

        var bytes = update.ToArray(Options);
        var decoded = ReadMessage<UpdateMessage>(bytes, Options);

        byte[] expected =
        [
            0x80, 0x0E, 0x35,
            0x00, 0x02, 0x01,
            0x20,
            0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
            0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
            0x00,
            48, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01,
            64, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x02, 0x00, 0x00,
        ];
        Assert.Equal(expected, AttributeOf(bytes, AttributeType.MpReachNlri));
        Assert.NotNull(decoded.MpReach);
        Assert.Equal(AfiSafi.Ipv6Unicast, decoded.MpReach.Family);
        Assert.Equal(IPAddress.Parse("2001:db8::1"), decoded.MpReach.NextHop);
        Assert.Equal(IPAddress.Parse("fe80::1"), decoded.MpReach.LinkLocalNextHop);
        Assert.Equal(reach.Nlri, decoded.MpReach.Nlri);
        Assert.Equal(AsPath.Sequence(65001), decoded.Attributes!.AsPath);
        Assert.Null(decoded.Attributes.NextHop);
        Assert.Equal(IPAddress.Parse("2001:db8::1"), decoded.NextHopFor(AfiSafi.Ipv6Unicast));
        Assert.Null(decoded.NextHopFor(AfiSafi.Ipv4Unicast));
        Assert.Equal([(AfiSafi.Ipv6Unicast, N("2001:db8:1::/48")), (AfiSafi.Ipv6Unicast, N("2001:db8:2::/64"))], decoded.Announced());
    }

    [Fact]
    public void MP_REACH_with_a_global_next_hop_only_has_a_16_octet_next_hop()
    {
        var reach = new MpReach(AfiSafi.Ipv6Unicast, IPAddress.Parse("2001:db8::1"), null, [N("2001:db8:1::/48")]);

        var bytes = new UpdateMessage(attributes: PathAttributes.Empty, mpReach: reach).ToArray(Options);
        var decoded = ReadMessage<UpdateMessage>(bytes, Options);

        Assert.Equal(16, AttributeOf(bytes, AttributeType.MpReachNlri)[6]);
        Assert.Equal(IPAddress.Parse("2001:db8::1"), decoded.MpReach!.NextHop);
        Assert.Null(decoded.MpReach.LinkLocalNextHop);
    }

    [Fact]
    public void MP_REACH_carries_IPv4_routes_with_an_IPv4_or_an_IPv6_next_hop()
    {
        // RFC 4760 for IPv4 unicast, RFC 8950 for an IPv6 next hop.
        foreach (var nextHop in new[] { IPAddress.Parse("192.0.2.1"), IPAddress.Parse("2001:db8::1") })
        {
            var reach = new MpReach(AfiSafi.Ipv4Unicast, nextHop, null, [N("10.1.0.0/16")]);

            var decoded = RoundTrip(new UpdateMessage(attributes: PathAttributes.Empty, mpReach: reach), Options);

            Assert.Equal(nextHop, decoded.MpReach!.NextHop);
            Assert.Equal(reach.Nlri, decoded.MpReach.Nlri);
            Assert.Equal(nextHop, decoded.NextHopFor(AfiSafi.Ipv4Unicast));
        }
    }

    [Fact]
    public void MP_REACH_ignores_the_reserved_octet()
    {
        // RFC 4760 §3: the old SNPA count is reserved and ignored on receipt.
        byte[] reach = [0, 2, 1, 16, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 7, 32, 0x20, 0x01, 0x0d, 0xb8];
        var bytes = Update([], Concat(Attribute(0x80, 14, reach), OriginIgp, AsPath4(65001)), []);

        var decoded = ReadMessage<UpdateMessage>(bytes, Options);

        Assert.Equal([N("2001:db8::/32")], decoded.MpReach!.Nlri);
    }

    [Fact]
    public void MP_UNREACH_withdraws_IPv6_routes_without_other_attributes()
    {
        var update = new UpdateMessage(mpUnreach: new MpUnreach(AfiSafi.Ipv6Unicast, [N("2001:db8:1::/48"), N("::/0")]));

        var bytes = update.ToArray(Options);
        var decoded = ReadMessage<UpdateMessage>(bytes, Options);

        Assert.Equal(new byte[] { 0x80, 0x0F, 0x0B, 0, 2, 1, 48, 0x20, 0x01, 0x0d, 0xb8, 0, 1, 0 }, AttributeOf(bytes, AttributeType.MpUnreachNlri));
        Assert.Null(decoded.Attributes);
        Assert.Equal(AfiSafi.Ipv6Unicast, decoded.MpUnreach!.Family);
        Assert.Equal([(AfiSafi.Ipv6Unicast, N("2001:db8:1::/48")), (AfiSafi.Ipv6Unicast, N("::/0"))], decoded.WithdrawnRoutes());
        Assert.Null(decoded.EndOfRib);
    }

    [Fact]
    public void IPv4_and_IPv6_routes_in_one_UPDATE_are_announced_and_withdrawn_by_family()
    {
        var update = new UpdateMessage(
            withdrawn: [N("10.9.0.0/16")],
            attributes: Simple,
            nlri: [N("10.1.0.0/16")],
            mpReach: new MpReach(AfiSafi.Ipv6Unicast, IPAddress.Parse("2001:db8::1"), null, [N("2001:db8:1::/48")]),
            mpUnreach: new MpUnreach(AfiSafi.Ipv6Unicast, [N("2001:db8:9::/48")]));

        var decoded = RoundTrip(update, Options);

        Assert.Equal([(AfiSafi.Ipv4Unicast, N("10.1.0.0/16")), (AfiSafi.Ipv6Unicast, N("2001:db8:1::/48"))], decoded.Announced());
        Assert.Equal([(AfiSafi.Ipv4Unicast, N("10.9.0.0/16")), (AfiSafi.Ipv6Unicast, N("2001:db8:9::/48"))], decoded.WithdrawnRoutes());
        Assert.Equal(IPAddress.Parse("192.0.2.1"), decoded.NextHopFor(AfiSafi.Ipv4Unicast));
        Assert.Equal(IPAddress.Parse("2001:db8::1"), decoded.NextHopFor(AfiSafi.Ipv6Unicast));
    }

    [Fact]
    public void An_unknown_optional_transitive_attribute_is_kept_and_passed_on_with_Partial_set()
    {
        // RFC 4271 §5: an unrecognised optional transitive attribute is passed along with the Partial bit set.
        var received = Update([], Concat(OriginIgp, AsPath4(65001), NextHop(192, 0, 2, 1), Attribute(0xC0, 99, 1, 2, 3)), NlriOf("10.1.0.0/16"));

        var decoded = ReadMessage<UpdateMessage>(received, Options);
        Assert.Equal([new RawAttribute(0xC0, 99, new byte[] { 1, 2, 3 })], decoded.Attributes!.Unknown);

        var sent = new UpdateMessage(attributes: decoded.Attributes, nlri: decoded.Nlri).ToArray(Options);
        Assert.Equal(new byte[] { 0xE0, 99, 3, 1, 2, 3 }, AttributeOf(sent, 99));

        var again = ReadMessage<UpdateMessage>(sent, Options);
        Assert.Equal([new RawAttribute(0xE0, 99, new byte[] { 1, 2, 3 })], again.Attributes!.Unknown);
    }

    [Fact]
    public void An_unknown_attribute_built_locally_also_goes_out_with_Partial_set()
    {
        var attributes = Simple with { Unknown = new RawAttribute[] { new(0xC0, 200, new byte[] { 9 }) } };

        var decoded = RoundTrip(new UpdateMessage(attributes: attributes, nlri: [N("10.1.0.0/16")]), Options);

        Assert.Equal([new RawAttribute(0xE0, 200, new byte[] { 9 })], decoded.Attributes!.Unknown);
    }

    [Fact]
    public void An_unknown_attribute_received_with_Extended_Length_is_stored_without_that_bit()
    {
        var received = Update([], Concat(OriginIgp, AsPath4(65001), NextHop(192, 0, 2, 1), Attribute(0xD0, 99, 5)), NlriOf("10.1.0.0/16"));

        var decoded = ReadMessage<UpdateMessage>(received, Options);

        Assert.Equal([new RawAttribute(0xC0, 99, new byte[] { 5 })], decoded.Attributes!.Unknown);
    }

    [Fact]
    public void An_attribute_longer_than_255_octets_uses_Extended_Length()
    {
        var communities = Enumerable.Range(1, 70).Select(i => Community.Of(65001, (ushort)i)).ToArray();
        var attributes = Simple with { Communities = communities };

        var bytes = new UpdateMessage(attributes: attributes, nlri: [N("10.1.0.0/16")]).ToArray(Options);
        var decoded = ReadMessage<UpdateMessage>(bytes, Options);

        var (flags, _, value) = Assert.Single(AttributesOf(bytes), a => a.Type == AttributeType.Communities);
        Assert.Equal(0xD0, flags);
        Assert.Equal(280, value.Length);
        Assert.Equal(attributes, decoded.Attributes);
    }

    [Fact]
    public void A_short_attribute_received_with_Extended_Length_is_accepted()
    {
        var received = Update([], Concat(Attribute(0x50, 1, 2), AsPath4(65001), NextHop(192, 0, 2, 1)), NlriOf("10.1.0.0/16"));

        var decoded = ReadMessage<UpdateMessage>(received, Options);

        Assert.Null(decoded.TreatAsWithdraw);
        Assert.Equal(Origin.Incomplete, decoded.Attributes!.Origin);
    }

    [Fact]
    public void ADD_PATH_puts_a_path_identifier_before_each_IPv4_prefix()
    {
        // RFC 7911 §3.
        var options = Options with { AddPathIPv4 = true };
        var update = new UpdateMessage(withdrawn: [N("10.9.0.0/16", 7)], attributes: Simple, nlri: [N("10.1.0.0/16", 1), N("10.1.0.0/16", 2)]);

        var bytes = update.ToArray(options);
        var decoded = ReadMessage<UpdateMessage>(bytes, options);

        Assert.Equal(new byte[] { 0, 7, 0, 0, 0, 7, 16, 10, 9 }, bytes[19..28]);
        Assert.Equal(new byte[] { 0, 0, 0, 1, 16, 10, 1, 0, 0, 0, 2, 16, 10, 1 }, bytes[^14..]);
        Assert.Equal(update.Nlri, decoded.Nlri);
        Assert.Equal(update.Withdrawn, decoded.Withdrawn);
        Assert.Equal([(AfiSafi.Ipv4Unicast, N("10.1.0.0/16", 1)), (AfiSafi.Ipv4Unicast, N("10.1.0.0/16", 2))], decoded.Announced());
    }

    [Fact]
    public void ADD_PATH_for_IPv6_applies_inside_MP_REACH_and_MP_UNREACH_only()
    {
        var options = Options with { AddPathIPv6 = true };
        var update = new UpdateMessage(
            attributes: Simple,
            nlri: [N("10.1.0.0/16")],
            mpReach: new MpReach(AfiSafi.Ipv6Unicast, IPAddress.Parse("2001:db8::1"), null, [N("2001:db8:1::/48", 5)]),
            mpUnreach: new MpUnreach(AfiSafi.Ipv6Unicast, [N("2001:db8:2::/48", 6)]));

        var bytes = update.ToArray(options);
        var decoded = ReadMessage<UpdateMessage>(bytes, options);

        Assert.Equal(new byte[] { 16, 10, 1 }, bytes[^3..]);
        Assert.Equal(update.Nlri, decoded.Nlri);
        Assert.Equal(update.MpReach!.Nlri, decoded.MpReach!.Nlri);
        Assert.Equal(update.MpUnreach!.Withdrawn, decoded.MpUnreach!.Withdrawn);
    }

    [Fact]
    public void IPv4_End_of_RIB_is_an_UPDATE_with_nothing_in_it()
    {
        // RFC 4724 §2: no withdrawn routes, no attributes, no NLRI; 23 octets.
        byte[] expected = [.. Marker, 0, 23, 2, 0, 0, 0, 0];

        Assert.Equal(expected, UpdateMessage.EndOfRibFor(AfiSafi.Ipv4Unicast).ToArray(Options));
        Assert.Equal(expected, new UpdateMessage().ToArray(Options));
        var decoded = ReadMessage<UpdateMessage>(expected, Options);
        Assert.Equal(AfiSafi.Ipv4Unicast, decoded.EndOfRib);
        Assert.Null(decoded.Attributes);
        Assert.Empty(decoded.Announced());
        Assert.Empty(decoded.WithdrawnRoutes());
        Assert.Equal("UPDATE End-of-RIB ipv4-unicast", decoded.ToString());
    }

    [Fact]
    public void IPv6_End_of_RIB_is_an_UPDATE_with_only_an_empty_MP_UNREACH()
    {
        byte[] expected = [.. Marker, 0, 29, 2, 0, 0, 0, 6, 0x80, 0x0F, 0x03, 0, 2, 1];
        var marker = UpdateMessage.EndOfRibFor(AfiSafi.Ipv6Unicast);

        Assert.Equal(AfiSafi.Ipv6Unicast, marker.EndOfRib);
        Assert.Equal(expected, marker.ToArray(Options));
        var decoded = ReadMessage<UpdateMessage>(expected, Options);
        Assert.Equal(AfiSafi.Ipv6Unicast, decoded.EndOfRib);
        Assert.Empty(decoded.WithdrawnRoutes());
        Assert.Equal("UPDATE End-of-RIB ipv6-unicast", decoded.ToString());
    }

    [Fact]
    public void An_empty_MP_UNREACH_next_to_other_attributes_is_not_End_of_RIB()
    {
        var bytes = Update([], Concat(Attribute(0x80, 15, 0, 2, 1), OriginIgp), []);

        var decoded = ReadMessage<UpdateMessage>(bytes, Options);

        Assert.Null(decoded.EndOfRib);
    }

    [Fact]
    public void Announcements_are_not_End_of_RIB()
    {
        var decoded = RoundTrip(new UpdateMessage(attributes: Simple, nlri: [N("10.1.0.0/16")]), Options);

        Assert.Null(decoded.EndOfRib);
    }

    [Fact]
    public void ToString_lists_routes_and_attributes()
    {
        var update = new UpdateMessage(withdrawn: [N("10.9.0.0/16")], attributes: Simple, nlri: [N("10.1.2.0/23")]);

        Assert.Equal("UPDATE announce 1 [10.1.2.0/23] origin IGP, as-path [65001], next-hop 192.0.2.1; withdraw 1 [10.9.0.0/16]", update.ToString());
    }
}
