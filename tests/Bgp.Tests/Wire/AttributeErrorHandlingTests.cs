using Routing.Bgp.Wire;
using Routing.Bgp.Wire.Attributes;
using static Routing.Bgp.Tests.Wire.TestWire;

namespace Routing.Bgp.Tests.Wire;

/// <summary>
/// RFC 7606, case by case: which malformed UPDATEs cost their routes (treat-as-withdraw), which
/// cost an attribute (attribute discard), and which reset the session.
/// </summary>
public class AttributeErrorHandlingTests
{
    private static readonly SessionOptions Options = SessionOptions.Modern;

    private static readonly string[] Prefixes = ["10.1.0.0/16", "10.2.0.0/16"];

    private static readonly byte[] ValidOrigin = OriginIgp;
    private static readonly byte[] ValidAsPath = AsPath4(65001);
    private static readonly byte[] ValidNextHop = NextHop(192, 0, 2, 1);

    private static readonly byte[] Ipv6Reach = Attribute(
        0x80,
        AttributeType.MpReachNlri,
        [0, 2, 1, 16, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 48, 0x20, 0x01, 0x0d, 0xb8, 0, 1]);

    private static IEnumerable<(AfiSafi, Nlri)> Routes(params string[] prefixes) =>
        prefixes.Select(p => (Prefix.Parse(p).Family, new Nlri(Prefix.Parse(p))));

    /// <summary>An UPDATE announcing <see cref="Prefixes"/> with these attributes, decoded on <paramref name="options"/>.</summary>
    private static UpdateMessage Decode(SessionOptions options, params byte[][] attributes) =>
        ReadMessage<UpdateMessage>(Update([], Concat(attributes), NlriOf(Prefixes)), options);

    private static UpdateMessage Decode(params byte[][] attributes) => Decode(Options, attributes);

    private static BgpError DecodeError(params byte[][] attributes) =>
        ReadError(Update([], Concat(attributes), NlriOf(Prefixes)), Options);

    private static void AssertTreatedAsWithdraw(UpdateMessage update, byte subcode, byte[]? data = null)
    {
        Assert.NotNull(update.TreatAsWithdraw);
        Assert.Equal(NotificationCode.UpdateMessageError, update.TreatAsWithdraw.Code);
        Assert.Equal(ErrorAction.TreatAsWithdraw, update.TreatAsWithdraw.Action);
        Assert.Equal(subcode, update.TreatAsWithdraw.Subcode);
        if (data is not null)
        {
            Assert.Equal(data, update.TreatAsWithdraw.Data.ToArray());
        }

        Assert.Empty(update.Announced());
        Assert.Equal(Routes(Prefixes), update.WithdrawnRoutes());
    }

    private static void AssertAccepted(UpdateMessage update)
    {
        Assert.Null(update.TreatAsWithdraw);
        Assert.Equal(Routes(Prefixes), update.Announced());
        Assert.Empty(update.WithdrawnRoutes());
    }

    private static void AssertDiscarded(UpdateMessage update, byte subcode, byte[] attribute)
    {
        AssertAccepted(update);
        var discarded = Assert.Single(update.Discarded);
        Assert.Equal(NotificationCode.UpdateMessageError, discarded.Code);
        Assert.Equal(ErrorAction.AttributeDiscard, discarded.Action);
        Assert.Equal(subcode, discarded.Subcode);
        Assert.Equal(attribute, discarded.Data.ToArray());
    }

    private static void AssertUpdateReset(BgpError error, byte subcode) =>
        AssertReset(error, NotificationCode.UpdateMessageError, subcode);

    [Fact]
    public void A_well_formed_UPDATE_is_accepted()
    {
        var update = Decode(ValidOrigin, ValidAsPath, ValidNextHop);

        AssertAccepted(update);
        Assert.Empty(update.Discarded);
    }

    // §7.1 ORIGIN

    [Fact]
    public void ORIGIN_of_length_2_is_treat_as_withdraw_with_Attribute_Length_Error()
    {
        // RFC 4271 §6.3: a length that conflicts with the type's is an Attribute Length Error.
        var origin = Attribute(0x40, AttributeType.Origin, 0, 0);

        AssertTreatedAsWithdraw(Decode(origin, ValidAsPath, ValidNextHop), ErrorSubcodes.AttributeLengthError, origin);
    }

    [Fact]
    public void ORIGIN_of_length_0_is_treat_as_withdraw_with_Attribute_Length_Error()
    {
        var origin = Attribute(0x40, AttributeType.Origin);

        AssertTreatedAsWithdraw(Decode(origin, ValidAsPath, ValidNextHop), ErrorSubcodes.AttributeLengthError, origin);
    }

    [Fact]
    public void ORIGIN_with_an_undefined_value_is_treat_as_withdraw_with_Invalid_ORIGIN()
    {
        var origin = Attribute(0x40, AttributeType.Origin, 3);

        AssertTreatedAsWithdraw(Decode(origin, ValidAsPath, ValidNextHop), ErrorSubcodes.InvalidOriginAttribute, origin);
    }

    // §7.2 AS_PATH

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    [InlineData(255)]
    public void AS_PATH_with_an_unknown_segment_type_is_treat_as_withdraw(byte segmentType)
    {
        var asPath = Attribute(0x40, AttributeType.AsPath, [segmentType, 1, .. U32(65001)]);

        AssertTreatedAsWithdraw(Decode(ValidOrigin, asPath, ValidNextHop), ErrorSubcodes.MalformedAsPath, asPath);
    }

    [Fact]
    public void AS_PATH_with_a_zero_length_segment_is_treat_as_withdraw()
    {
        var asPath = Attribute(0x40, AttributeType.AsPath, [2, 1, .. U32(65001), 2, 0]);

        AssertTreatedAsWithdraw(Decode(ValidOrigin, asPath, ValidNextHop), ErrorSubcodes.MalformedAsPath, asPath);
    }

    [Fact]
    public void AS_PATH_with_a_segment_overrunning_the_attribute_is_treat_as_withdraw()
    {
        var asPath = Attribute(0x40, AttributeType.AsPath, [2, 2, .. U32(65001)]);

        AssertTreatedAsWithdraw(Decode(ValidOrigin, asPath, ValidNextHop), ErrorSubcodes.MalformedAsPath, asPath);
    }

    [Fact]
    public void AS_PATH_with_a_single_octet_after_the_last_segment_is_treat_as_withdraw()
    {
        var asPath = Attribute(0x40, AttributeType.AsPath, [2, 1, .. U32(65001), 2]);

        AssertTreatedAsWithdraw(Decode(ValidOrigin, asPath, ValidNextHop), ErrorSubcodes.MalformedAsPath, asPath);
    }

    [Fact]
    public void AS_PATH_of_2_octet_ASNs_on_a_4_octet_session_is_treat_as_withdraw()
    {
        // Three 2-octet ASNs are 6 octets: one and a half 4-octet ASNs.
        var asPath = AsPath2(65001, 65002, 65003);

        AssertTreatedAsWithdraw(Decode(ValidOrigin, asPath, ValidNextHop), ErrorSubcodes.MalformedAsPath, asPath);
    }

    // §7.3 NEXT_HOP

    [Fact]
    public void NEXT_HOP_of_length_5_is_treat_as_withdraw_with_Attribute_Length_Error()
    {
        var nextHop = Attribute(0x40, AttributeType.NextHop, 192, 0, 2, 1, 0);

        AssertTreatedAsWithdraw(Decode(ValidOrigin, ValidAsPath, nextHop), ErrorSubcodes.AttributeLengthError, nextHop);
    }

    [Theory]
    [InlineData(0, 0, 0, 0)]
    [InlineData(224, 0, 0, 1)]
    [InlineData(239, 255, 255, 255)]
    [InlineData(240, 0, 0, 1)]
    [InlineData(255, 255, 255, 255)]
    public void NEXT_HOP_that_is_not_a_unicast_address_is_treat_as_withdraw_with_Invalid_NEXT_HOP(byte a, byte b, byte c, byte d)
    {
        var nextHop = NextHop(a, b, c, d);

        AssertTreatedAsWithdraw(Decode(ValidOrigin, ValidAsPath, nextHop), ErrorSubcodes.InvalidNextHopAttribute, nextHop);
    }

    // §7.4 MULTI_EXIT_DISC, §7.5 LOCAL_PREF

    [Fact]
    public void MULTI_EXIT_DISC_of_length_3_is_treat_as_withdraw()
    {
        var med = Attribute(0x80, AttributeType.MultiExitDisc, 0, 0, 1);

        AssertTreatedAsWithdraw(Decode(ValidOrigin, ValidAsPath, ValidNextHop, med), ErrorSubcodes.AttributeLengthError, med);
    }

    [Fact]
    public void LOCAL_PREF_of_length_2_is_treat_as_withdraw()
    {
        var localPref = Attribute(0x40, AttributeType.LocalPref, 0, 100);

        AssertTreatedAsWithdraw(Decode(ValidOrigin, ValidAsPath, ValidNextHop, localPref), ErrorSubcodes.AttributeLengthError, localPref);
    }

    // §7.6 ATOMIC_AGGREGATE, §7.7 AGGREGATOR

    [Fact]
    public void ATOMIC_AGGREGATE_of_length_1_is_discarded()
    {
        var atomicAggregate = Attribute(0x40, AttributeType.AtomicAggregate, 0);

        var update = Decode(ValidOrigin, ValidAsPath, ValidNextHop, atomicAggregate);

        AssertDiscarded(update, ErrorSubcodes.AttributeLengthError, atomicAggregate);
        Assert.False(update.Attributes!.AtomicAggregate);
    }

    [Fact]
    public void AGGREGATOR_of_6_octets_on_a_4_octet_session_is_discarded()
    {
        var aggregator = Attribute(0xC0, AttributeType.Aggregator, 0xFD, 0xE9, 192, 0, 2, 1);

        var update = Decode(ValidOrigin, ValidAsPath, ValidNextHop, aggregator);

        AssertDiscarded(update, ErrorSubcodes.AttributeLengthError, aggregator);
        Assert.Null(update.Attributes!.Aggregator);
    }

    [Fact]
    public void AGGREGATOR_of_8_octets_on_a_2_octet_session_is_discarded()
    {
        var aggregator = Attribute(0xC0, AttributeType.Aggregator, [.. U32(65001), 192, 0, 2, 1]);

        var update = Decode(SessionOptions.Initial, ValidOrigin, AsPath2(65001), ValidNextHop, aggregator);

        AssertDiscarded(update, ErrorSubcodes.AttributeLengthError, aggregator);
        Assert.Null(update.Attributes!.Aggregator);
    }

    // §7.8 COMMUNITIES, RFC 4456 / §7.9–7.10 ORIGINATOR_ID and CLUSTER_LIST, RFC 8092 §6 LARGE_COMMUNITY

    [Theory]
    [InlineData(5)]
    [InlineData(0)]
    public void COMMUNITIES_whose_length_is_not_a_non_zero_multiple_of_4_is_treat_as_withdraw(int length)
    {
        var communities = Attribute(0xC0, AttributeType.Communities, new byte[length]);

        AssertTreatedAsWithdraw(Decode(ValidOrigin, ValidAsPath, ValidNextHop, communities), ErrorSubcodes.OptionalAttributeError, communities);
    }

    [Fact]
    public void ORIGINATOR_ID_of_length_3_is_treat_as_withdraw()
    {
        var originatorId = Attribute(0x80, AttributeType.OriginatorId, 10, 0, 0);

        AssertTreatedAsWithdraw(Decode(ValidOrigin, ValidAsPath, ValidNextHop, originatorId), ErrorSubcodes.AttributeLengthError, originatorId);
    }

    [Fact]
    public void CLUSTER_LIST_of_length_6_is_treat_as_withdraw()
    {
        var clusterList = Attribute(0x80, AttributeType.ClusterList, 10, 0, 0, 1, 10, 0);

        AssertTreatedAsWithdraw(Decode(ValidOrigin, ValidAsPath, ValidNextHop, clusterList), ErrorSubcodes.AttributeLengthError, clusterList);
    }

    [Theory]
    [InlineData(13)]
    [InlineData(0)]
    public void LARGE_COMMUNITY_whose_length_is_not_a_non_zero_multiple_of_12_is_treat_as_withdraw(int length)
    {
        var largeCommunity = Attribute(0xC0, AttributeType.LargeCommunity, new byte[length]);

        AssertTreatedAsWithdraw(Decode(ValidOrigin, ValidAsPath, ValidNextHop, largeCommunity), ErrorSubcodes.OptionalAttributeError, largeCommunity);
    }

    // §3 c: attribute flags

    [Theory]
    [InlineData(0xC0)]
    [InlineData(0x80)]
    [InlineData(0x00)]
    [InlineData(0x60)]
    public void ORIGIN_with_flags_other_than_well_known_transitive_is_treat_as_withdraw_with_Attribute_Flags_Error(byte flags)
    {
        var origin = Attribute(flags, AttributeType.Origin, 0);

        AssertTreatedAsWithdraw(Decode(origin, ValidAsPath, ValidNextHop), ErrorSubcodes.AttributeFlagsError, origin);
    }

    [Fact]
    public void MULTI_EXIT_DISC_marked_transitive_is_treat_as_withdraw_with_Attribute_Flags_Error()
    {
        var med = Attribute(0xC0, AttributeType.MultiExitDisc, 0, 0, 0, 1);

        AssertTreatedAsWithdraw(Decode(ValidOrigin, ValidAsPath, ValidNextHop, med), ErrorSubcodes.AttributeFlagsError, med);
    }

    [Fact]
    public void NEXT_HOP_with_the_Partial_bit_is_treat_as_withdraw_with_Attribute_Flags_Error()
    {
        // RFC 4271 §4.3: Partial must be 0 for well-known attributes.
        var nextHop = Attribute(0x60, AttributeType.NextHop, 192, 0, 2, 1);

        AssertTreatedAsWithdraw(Decode(ValidOrigin, ValidAsPath, nextHop), ErrorSubcodes.AttributeFlagsError, nextHop);
    }

    [Fact]
    public void An_optional_transitive_attribute_may_carry_the_Partial_bit()
    {
        var update = Decode(ValidOrigin, ValidAsPath, ValidNextHop, Attribute(0xE0, AttributeType.Communities, 0xFF, 0xFF, 0xFF, 0x01));

        AssertAccepted(update);
        Assert.Equal(new uint[] { Community.NoExport }, update.Attributes!.Communities.AsSpan().ToArray());
    }

    [Fact]
    public void ATOMIC_AGGREGATE_with_wrong_flags_is_discarded_with_Attribute_Flags_Error()
    {
        var atomicAggregate = Attribute(0xC0, AttributeType.AtomicAggregate);

        var update = Decode(ValidOrigin, ValidAsPath, ValidNextHop, atomicAggregate);

        AssertDiscarded(update, ErrorSubcodes.AttributeFlagsError, atomicAggregate);
        Assert.False(update.Attributes!.AtomicAggregate);
    }

    // §3 d: missing well-known mandatory attributes

    [Fact]
    public void Missing_ORIGIN_is_treat_as_withdraw_with_its_type_as_data()
    {
        AssertTreatedAsWithdraw(Decode(ValidAsPath, ValidNextHop), ErrorSubcodes.MissingWellKnownAttribute, [AttributeType.Origin]);
    }

    [Fact]
    public void Missing_AS_PATH_is_treat_as_withdraw_with_its_type_as_data()
    {
        AssertTreatedAsWithdraw(Decode(ValidOrigin, ValidNextHop), ErrorSubcodes.MissingWellKnownAttribute, [AttributeType.AsPath]);
    }

    [Fact]
    public void Missing_NEXT_HOP_with_IPv4_NLRI_is_treat_as_withdraw_with_its_type_as_data()
    {
        AssertTreatedAsWithdraw(Decode(ValidOrigin, ValidAsPath), ErrorSubcodes.MissingWellKnownAttribute, [AttributeType.NextHop]);
    }

    [Fact]
    public void NLRI_without_any_attributes_is_treat_as_withdraw()
    {
        AssertTreatedAsWithdraw(Decode(), ErrorSubcodes.MissingWellKnownAttribute, [AttributeType.Origin]);
    }

    [Fact]
    public void Withdrawals_without_any_attributes_are_fine()
    {
        var update = ReadMessage<UpdateMessage>(Update(NlriOf("10.9.0.0/16"), [], []), Options);

        Assert.Null(update.TreatAsWithdraw);
        Assert.Empty(update.Discarded);
        Assert.Null(update.Attributes);
        Assert.Equal(Routes("10.9.0.0/16"), update.WithdrawnRoutes());
    }

    [Fact]
    public void MP_REACH_needs_no_NEXT_HOP()
    {
        // RFC 4760 §3 / RFC 7606 §3 d: NEXT_HOP is only mandatory with routes in the NLRI field.
        var update = ReadMessage<UpdateMessage>(Update([], Concat(Ipv6Reach, ValidOrigin, ValidAsPath), []), Options);

        Assert.Null(update.TreatAsWithdraw);
        Assert.Equal(Routes("2001:db8:1::/48"), update.Announced());
    }

    [Fact]
    public void MP_REACH_without_AS_PATH_is_treat_as_withdraw_of_its_routes()
    {
        var update = ReadMessage<UpdateMessage>(Update([], Concat(Ipv6Reach, ValidOrigin), []), Options);

        Assert.Equal(ErrorSubcodes.MissingWellKnownAttribute, update.TreatAsWithdraw!.Subcode);
        Assert.Equal([AttributeType.AsPath], update.TreatAsWithdraw.Data.ToArray());
        Assert.Empty(update.Announced());
        Assert.Equal(Routes("2001:db8:1::/48"), update.WithdrawnRoutes());
    }

    // §3 g: repeated attributes

    [Fact]
    public void A_repeated_attribute_is_discarded_and_the_first_kept()
    {
        var second = Attribute(0x40, AttributeType.LocalPref, 0, 0, 0, 200);

        var update = Decode(ValidOrigin, ValidAsPath, ValidNextHop, Attribute(0x40, AttributeType.LocalPref, 0, 0, 0, 100), second);

        AssertDiscarded(update, ErrorSubcodes.MalformedAttributeList, second);
        Assert.Equal(100u, update.Attributes!.LocalPref);
    }

    [Fact]
    public void A_malformed_repeat_of_a_good_attribute_costs_nothing()
    {
        var second = Attribute(0x40, AttributeType.Origin, 9);

        var update = Decode(ValidOrigin, second, ValidAsPath, ValidNextHop);

        AssertDiscarded(update, ErrorSubcodes.MalformedAttributeList, second);
        Assert.Equal(Origin.Igp, update.Attributes!.Origin);
    }

    [Fact]
    public void A_repeated_unknown_attribute_is_discarded_and_the_first_kept()
    {
        var second = Attribute(0xC0, 99, 2);

        var update = Decode(ValidOrigin, ValidAsPath, ValidNextHop, Attribute(0xC0, 99, 1), second);

        AssertDiscarded(update, ErrorSubcodes.MalformedAttributeList, second);
        Assert.Equal([new RawAttribute(0xC0, 99, new byte[] { 1 })], update.Attributes!.Unknown);
    }

    [Fact]
    public void A_repeated_MP_REACH_resets_the_session()
    {
        AssertUpdateReset(DecodeError(Ipv6Reach, ValidOrigin, ValidAsPath, ValidNextHop, Ipv6Reach), ErrorSubcodes.MalformedAttributeList);
    }

    [Fact]
    public void A_repeated_MP_UNREACH_resets_the_session()
    {
        var unreach = Attribute(0x80, AttributeType.MpUnreachNlri, 0, 2, 1);

        AssertUpdateReset(DecodeError(unreach, ValidOrigin, ValidAsPath, ValidNextHop, unreach), ErrorSubcodes.MalformedAttributeList);
    }

    // §7.11 MP_REACH_NLRI and §7.12 MP_UNREACH_NLRI: the routes cannot be found, so the session resets.

    [Theory]
    [InlineData(new byte[] { 0, 2, 1, 5, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 48, 0x20, 0x01, 0x0d, 0xb8, 0, 1 })]
    [InlineData(new byte[] { 0, 2, 1, 4, 192, 0, 2, 1, 0, 48, 0x20, 0x01, 0x0d, 0xb8, 0, 1 })]
    [InlineData(new byte[] { 0, 1, 1, 8, 192, 0, 2, 1, 192, 0, 2, 2, 0, 16, 10, 1 })]
    [InlineData(new byte[] { 0, 2, 1, 40, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0 })]
    [InlineData(new byte[] { 0, 2, 1, 16 })]
    [InlineData(new byte[] { 0, 2, 1, 16, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 129, 0x20 })]
    [InlineData(new byte[] { 0, 2, 1, 16, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 64, 0x20, 0x01 })]
    public void A_malformed_MP_REACH_resets_the_session(byte[] value)
    {
        var reach = Attribute(0x80, AttributeType.MpReachNlri, value);

        var error = ReadError(Update([], Concat(reach, ValidOrigin, ValidAsPath), []), Options);

        AssertUpdateReset(error, ErrorSubcodes.OptionalAttributeError);
        Assert.Equal(reach, error.Data.ToArray());
    }

    [Theory]
    [InlineData(new byte[] { 0, 2 })]
    [InlineData(new byte[] { 0, 2, 1, 64, 0x20 })]
    [InlineData(new byte[] { 0, 1, 1, 33, 10, 0, 0, 0, 0 })]
    public void A_malformed_MP_UNREACH_resets_the_session(byte[] value)
    {
        var error = ReadError(Update([], Attribute(0x80, AttributeType.MpUnreachNlri, value), []), Options);

        AssertUpdateReset(error, ErrorSubcodes.OptionalAttributeError);
    }

    [Fact]
    public void MP_REACH_of_a_family_this_speaker_does_not_carry_is_ignored()
    {
        // AFI 1 SAFI 128 (VPNv4) was never negotiated; nothing in it is used.
        var vpn = Attribute(0x80, AttributeType.MpReachNlri, [0, 1, 128, 12, .. new byte[12], 0, 88, .. new byte[11]]);

        var update = ReadMessage<UpdateMessage>(Update([], Concat(vpn, ValidOrigin, ValidAsPath), []), Options);

        Assert.Null(update.MpReach);
        Assert.Null(update.TreatAsWithdraw);
        Assert.Empty(update.Announced());
    }

    // §3 (unrecognized attributes)

    [Fact]
    public void An_unrecognized_well_known_attribute_resets_the_session()
    {
        var unknown = Attribute(0x40, 99, 0);

        var error = DecodeError(ValidOrigin, ValidAsPath, ValidNextHop, unknown);

        AssertUpdateReset(error, ErrorSubcodes.UnrecognizedWellKnownAttribute);
        Assert.Equal(unknown, error.Data.ToArray());
    }

    [Fact]
    public void An_unknown_optional_non_transitive_attribute_is_dropped_silently()
    {
        var update = Decode(ValidOrigin, ValidAsPath, ValidNextHop, Attribute(0x80, 99, 1, 2, 3));

        AssertAccepted(update);
        Assert.Empty(update.Discarded);
        Assert.Empty(update.Attributes!.Unknown);
    }

    [Fact]
    public void An_unknown_optional_transitive_attribute_is_kept()
    {
        var update = Decode(ValidOrigin, ValidAsPath, ValidNextHop, Attribute(0xC0, 99, 1, 2, 3));

        AssertAccepted(update);
        Assert.Equal([new RawAttribute(0xC0, 99, new byte[] { 1, 2, 3 })], update.Attributes!.Unknown);
    }

    // RFC 4271 §6.3 / RFC 7606 §5.3: the fields that locate the routes.

    [Fact]
    public void A_withdrawn_routes_length_overrunning_the_message_resets_the_session()
    {
        var error = ReadError(Frame(BgpMessageType.Update, 0, 16, 0, 0), Options);

        AssertUpdateReset(error, ErrorSubcodes.MalformedAttributeList);
    }

    [Fact]
    public void A_total_attribute_length_overrunning_the_message_resets_the_session()
    {
        var error = ReadError(Frame(BgpMessageType.Update, [0, 0, 0, 40, .. ValidOrigin, .. ValidAsPath, .. ValidNextHop]), Options);

        AssertUpdateReset(error, ErrorSubcodes.MalformedAttributeList);
    }

    [Fact]
    public void An_NLRI_prefix_length_of_33_resets_the_session()
    {
        var error = ReadError(Update([], Concat(ValidOrigin, ValidAsPath, ValidNextHop), [33, 10, 1, 0, 0, 0]), Options);

        AssertUpdateReset(error, ErrorSubcodes.InvalidNetworkField);
    }

    [Fact]
    public void A_withdrawn_prefix_length_of_33_resets_the_session()
    {
        var error = ReadError(Update([33, 10, 1, 0, 0, 0], [], []), Options);

        AssertUpdateReset(error, ErrorSubcodes.InvalidNetworkField);
    }

    [Fact]
    public void A_truncated_NLRI_prefix_resets_the_session()
    {
        var error = ReadError(Update([], Concat(ValidOrigin, ValidAsPath, ValidNextHop), [24, 10, 1]), Options);

        AssertUpdateReset(error, ErrorSubcodes.InvalidNetworkField);
    }

    // §4: attribute lengths that disagree with the total attribute length.

    [Fact]
    public void An_attribute_overrunning_the_attribute_section_resets_the_session_when_no_MP_attribute_was_read()
    {
        // The overrun could hide an MP_REACH whose routes then cannot be withdrawn (§3 j).
        var overrun = new byte[] { 0xC0, AttributeType.Communities, 10, 0, 0, 0, 1 };

        var error = DecodeError(ValidOrigin, ValidAsPath, ValidNextHop, overrun);

        AssertUpdateReset(error, ErrorSubcodes.AttributeLengthError);
        Assert.Equal(overrun, error.Data.ToArray());
    }

    [Fact]
    public void An_attribute_overrunning_the_attribute_section_after_MP_REACH_is_treat_as_withdraw()
    {
        var overrun = new byte[] { 0x40, AttributeType.AsPath, 20, 2, 1, 0, 0, 0xFD, 0xE9 };

        var update = ReadMessage<UpdateMessage>(Update([], Concat(Ipv6Reach, ValidOrigin, overrun), []), Options);

        Assert.Equal(ErrorAction.TreatAsWithdraw, update.TreatAsWithdraw!.Action);
        Assert.Equal(ErrorSubcodes.AttributeLengthError, update.TreatAsWithdraw.Subcode);
        Assert.Empty(update.Announced());
        Assert.Equal(Routes("2001:db8:1::/48"), update.WithdrawnRoutes());
    }

    [Fact]
    public void An_MP_UNREACH_overrunning_the_attribute_section_after_MP_REACH_resets_the_session()
    {
        // §2: treat-as-withdraw needs every MP attribute parsed; the routes this one withdraws are unknown.
        var overrun = new byte[] { 0x80, AttributeType.MpUnreachNlri, 40, 0, 2, 1, 32, 0x20, 0x01, 0x0d, 0xb8 };

        var error = ReadError(Update([], Concat(Ipv6Reach, ValidOrigin, ValidAsPath, overrun), []), Options);

        AssertUpdateReset(error, ErrorSubcodes.AttributeLengthError);
        Assert.Equal(overrun, error.Data.ToArray());
    }

    [Theory]
    [InlineData(new byte[] { 0xC0 })]
    [InlineData(new byte[] { 0xC0, 8 })]
    [InlineData(new byte[] { 0xD0, 8, 0 })]
    public void Fewer_octets_left_than_an_attribute_header_is_treat_as_withdraw(byte[] tail)
    {
        AssertTreatedAsWithdraw(Decode(ValidOrigin, ValidAsPath, ValidNextHop, tail), ErrorSubcodes.AttributeLengthError);
    }

    // Several problems in one UPDATE.

    [Fact]
    public void The_first_treat_as_withdraw_reason_is_the_one_reported()
    {
        var update = Decode(Attribute(0x40, AttributeType.Origin, 3), ValidAsPath, ValidNextHop, Attribute(0x80, AttributeType.MultiExitDisc, 0));

        AssertTreatedAsWithdraw(update, ErrorSubcodes.InvalidOriginAttribute);
    }

    [Fact]
    public void A_session_reset_outranks_an_earlier_treat_as_withdraw()
    {
        var error = DecodeError(Attribute(0x40, AttributeType.Origin, 3), ValidAsPath, ValidNextHop, Attribute(0x40, 99));

        AssertUpdateReset(error, ErrorSubcodes.UnrecognizedWellKnownAttribute);
    }

    [Fact]
    public void Treat_as_withdraw_keeps_the_explicit_withdrawals()
    {
        var bytes = Update(NlriOf("10.9.0.0/16"), Concat(Attribute(0x40, AttributeType.Origin, 3), ValidAsPath, ValidNextHop), NlriOf(Prefixes));

        var update = ReadMessage<UpdateMessage>(bytes, Options);

        Assert.Empty(update.Announced());
        Assert.Equal(Routes(["10.9.0.0/16", .. Prefixes]), update.WithdrawnRoutes());
        Assert.Contains("treated as withdraw", update.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Discarding_one_attribute_and_treating_as_withdraw_for_another_are_both_reported()
    {
        var atomicAggregate = Attribute(0x40, AttributeType.AtomicAggregate, 1);

        var update = Decode(ValidOrigin, ValidAsPath, ValidNextHop, atomicAggregate, Attribute(0x40, AttributeType.LocalPref, 1));

        AssertTreatedAsWithdraw(update, ErrorSubcodes.AttributeLengthError);
        Assert.Equal(atomicAggregate, Assert.Single(update.Discarded).Data.ToArray());
    }
}
