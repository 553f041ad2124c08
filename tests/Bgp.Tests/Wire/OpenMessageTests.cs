using System.Net;
using Routing.Bgp.Wire;
using Routing.Bgp.Wire.Capabilities;
using static Routing.Bgp.Tests.Wire.TestWire;

namespace Routing.Bgp.Tests.Wire;

/// <summary>OPEN, RFC 4271 §4.2 and §6.2, with capabilities as optional parameters (RFC 5492).</summary>
public class OpenMessageTests
{
    private static readonly SessionOptions Options = SessionOptions.Initial;

    // AS 65001, hold time 90, BGP identifier 10.0.0.1, one Capabilities parameter with
    // multiprotocol IPv4 unicast and 4-octet AS 65001.
    private static readonly byte[] Known =
    [
        .. Marker, 0x00, 0x2B, 0x01,
        0x04,
        0xFD, 0xE9,
        0x00, 0x5A,
        0x0A, 0x00, 0x00, 0x01,
        0x0E,
        0x02, 0x0C,
        0x01, 0x04, 0x00, 0x01, 0x00, 0x01,
        0x41, 0x04, 0x00, 0x00, 0xFD, 0xE9,
    ];

    private static readonly Dictionary<string, Capability> Capabilities = new()
    {
        ["multiprotocol ipv4-unicast"] = new MultiprotocolCapability(AfiSafi.Ipv4Unicast),
        ["multiprotocol ipv6-unicast"] = new MultiprotocolCapability(AfiSafi.Ipv6Unicast),
        ["route refresh"] = new RouteRefreshCapability(),
        ["enhanced route refresh"] = new EnhancedRouteRefreshCapability(),
        ["4-octet AS"] = new FourOctetAsCapability(4200000001),
        ["graceful restart"] = new GracefulRestartCapability(
            Restarting: true,
            NotificationSupport: true,
            RestartTime: 120,
            Families: new GracefulRestartFamily[] { new(AfiSafi.Ipv4Unicast, true), new(AfiSafi.Ipv6Unicast, false) }),
        ["graceful restart without families"] = new GracefulRestartCapability(false, false, 4095, default),
        ["extended next hop"] = new ExtendedNextHopCapability(new ExtendedNextHopEntry[] { new(AfiSafi.Ipv4Unicast, AfiSafi.AfiIPv6) }),
        ["ADD-PATH"] = new AddPathCapability(new AddPathEntry[] { new(AfiSafi.Ipv4Unicast, AddPathMode.Both), new(AfiSafi.Ipv6Unicast, AddPathMode.Receive) }),
        ["extended message"] = new ExtendedMessageCapability(),
        ["unknown"] = new UnknownCapability(99, new byte[] { 1, 2, 3 }),
        ["unknown, empty"] = new UnknownCapability(128, default),
    };

    public static TheoryData<string> CapabilityNames => new(Capabilities.Keys);

    private static byte[] OpenBody(byte version = 4, ushort myAs = 65001, ushort holdTime = 90, uint identifier = 0x0A000001, params byte[] parameters) =>
        [version, .. U16(myAs), .. U16(holdTime), .. U32(identifier), (byte)parameters.Length, .. parameters];

    [Fact]
    public void Encodes_to_the_RFC_layout()
    {
        var open = new OpenMessage(65001, 90, 0x0A000001, [new MultiprotocolCapability(AfiSafi.Ipv4Unicast), new FourOctetAsCapability(65001)]);

        Assert.Equal(Known, open.ToArray(Options));
    }

    [Fact]
    public void Decodes_known_bytes()
    {
        var open = ReadMessage<OpenMessage>(Known, Options);

        Assert.Equal(BgpMessageType.Open, open.Type);
        Assert.Equal(65001, open.MyAutonomousSystem);
        Assert.Equal(65001u, open.AsNumber);
        Assert.Equal(90, open.HoldTime);
        Assert.Equal(0x0A000001u, open.BgpIdentifier);
        Assert.Equal(IPAddress.Parse("10.0.0.1"), open.RouterId);
        Assert.Equal([new MultiprotocolCapability(AfiSafi.Ipv4Unicast), new FourOctetAsCapability(65001)], open.Capabilities);
        Assert.Equal([AfiSafi.Ipv4Unicast], open.Families);
    }

    [Fact]
    public void Without_capabilities_the_OPEN_is_29_bytes_with_no_optional_parameters()
    {
        var open = new OpenMessage(65001, 0, 0xC0000201, []);

        var bytes = open.ToArray(Options);

        Assert.Equal([.. Marker, 0, 29, 1, 4, 0xFD, 0xE9, 0, 0, 192, 0, 2, 1, 0], bytes);
        var decoded = ReadMessage<OpenMessage>(bytes, Options);
        Assert.Empty(decoded.Capabilities);
        Assert.Equal(0, decoded.HoldTime);
    }

    [Theory]
    [MemberData(nameof(CapabilityNames))]
    public void Each_capability_survives_a_round_trip(string name)
    {
        var capability = Capabilities[name];
        var open = new OpenMessage(65001, 180, 0x0A000001, [capability]);

        var decoded = RoundTrip(open, Options);

        Assert.Equal([capability], decoded.Capabilities);
        Assert.Equal(180, decoded.HoldTime);
    }

    [Fact]
    public void All_capabilities_together_survive_a_round_trip_in_order()
    {
        var all = Capabilities.Values.ToArray();

        var decoded = RoundTrip(new OpenMessage(65001, 90, 0x0A000001, all), Options);

        Assert.Equal(all, decoded.Capabilities);
        Assert.Equal([AfiSafi.Ipv4Unicast, AfiSafi.Ipv6Unicast], decoded.Families);
        Assert.Equal(new RouteRefreshCapability(), decoded.Capability<RouteRefreshCapability>());
        Assert.Equal(AddPathMode.Both, decoded.Capability<AddPathCapability>()!.Entries[0].Mode);
    }

    [Fact]
    public void A_4_octet_AS_puts_AS_TRANS_in_My_Autonomous_System()
    {
        // RFC 6793 §4.1: AS_TRANS (23456) in the 2-octet field, the real AS in the capability.
        var open = new OpenMessage(4200000001, 90, 0x0A000001, [new FourOctetAsCapability(4200000001)]);

        var bytes = open.ToArray(Options);
        var decoded = ReadMessage<OpenMessage>(bytes, Options);

        Assert.Equal(OpenMessage.AsTrans, open.MyAutonomousSystem);
        Assert.Equal(new byte[] { 0x5B, 0xA0 }, bytes[20..22]);
        Assert.Equal(new byte[] { 0x41, 0x04, 0xFA, 0x56, 0xEA, 0x01 }, bytes[^6..]);
        Assert.Equal(23456, decoded.MyAutonomousSystem);
        Assert.Equal(4200000001u, decoded.AsNumber);
    }

    [Fact]
    public void Without_the_4_octet_AS_capability_the_AS_is_My_Autonomous_System()
    {
        var decoded = RoundTrip(new OpenMessage(64512, 90, 1, [new RouteRefreshCapability()]), Options);

        Assert.Null(decoded.Capability<FourOctetAsCapability>());
        Assert.Equal(64512u, decoded.AsNumber);
    }

    [Fact]
    public void Families_default_to_IPv4_unicast_and_are_listed_once()
    {
        var none = new OpenMessage(65001, 90, 1, [new RouteRefreshCapability()]);
        var v6Twice = new OpenMessage(65001, 90, 1, [new MultiprotocolCapability(AfiSafi.Ipv6Unicast), new MultiprotocolCapability(AfiSafi.Ipv6Unicast)]);

        Assert.Equal([AfiSafi.Ipv4Unicast], none.Families);
        Assert.Equal([AfiSafi.Ipv6Unicast], v6Twice.Families);
    }

    [Fact]
    public void Capabilities_in_separate_optional_parameters_are_all_read()
    {
        // Many speakers send one Capabilities parameter per capability (RFC 5492 §4 allows both).
        byte[] parameters =
        [
            0x02, 0x06, 0x01, 0x04, 0x00, 0x02, 0x00, 0x01,
            0x02, 0x02, 0x02, 0x00,
            0x02, 0x06, 0x41, 0x04, 0x00, 0x00, 0xFD, 0xE9,
        ];

        var open = ReadMessage<OpenMessage>(Frame(BgpMessageType.Open, OpenBody(parameters: parameters)), Options);

        Assert.Equal([new MultiprotocolCapability(AfiSafi.Ipv6Unicast), new RouteRefreshCapability(), new FourOctetAsCapability(65001)], open.Capabilities);
    }

    [Fact]
    public void An_empty_Capabilities_parameter_is_accepted()
    {
        var open = ReadMessage<OpenMessage>(Frame(BgpMessageType.Open, OpenBody(parameters: [0x02, 0x00])), Options);

        Assert.Empty(open.Capabilities);
    }

    [Fact]
    public void Extended_optional_parameters_length_is_read()
    {
        // RFC 9072: Non-Ext OP Len 255, Non-Ext OP Type 255, a 2-octet length, then parameters
        // with 2-octet lengths.
        byte[] body =
        [
            4, 0xFD, 0xE9, 0, 90, 10, 0, 0, 1,
            255, 255, 0, 9,
            0x02, 0x00, 0x06, 0x41, 0x04, 0xFA, 0x56, 0xEA, 0x01,
        ];

        var open = ReadMessage<OpenMessage>(Frame(BgpMessageType.Open, body), Options);

        Assert.Equal([new FourOctetAsCapability(4200000001)], open.Capabilities);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(5)]
    public void A_version_other_than_4_is_Unsupported_Version_Number_with_4_as_data(byte version)
    {
        // RFC 4271 §6.2: the data is the 2-octet version this speaker supports.
        var error = ReadError(Frame(BgpMessageType.Open, OpenBody(version: version)), Options);

        AssertReset(error, NotificationCode.OpenMessageError, ErrorSubcodes.UnsupportedVersionNumber);
        Assert.Equal(new byte[] { 0, 4 }, error.Data.ToArray());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void A_hold_time_of_1_or_2_seconds_is_Unacceptable_Hold_Time(ushort holdTime)
    {
        var error = ReadError(Frame(BgpMessageType.Open, OpenBody(holdTime: holdTime)), Options);

        AssertReset(error, NotificationCode.OpenMessageError, ErrorSubcodes.UnacceptableHoldTime);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    [InlineData(65535)]
    public void A_hold_time_of_0_or_at_least_3_seconds_is_accepted(ushort holdTime)
    {
        var open = ReadMessage<OpenMessage>(Frame(BgpMessageType.Open, OpenBody(holdTime: holdTime)), Options);

        Assert.Equal(holdTime, open.HoldTime);
    }

    [Fact]
    public void A_BGP_identifier_of_zero_is_Bad_BGP_Identifier()
    {
        var error = ReadError(Frame(BgpMessageType.Open, OpenBody(identifier: 0)), Options);

        AssertReset(error, NotificationCode.OpenMessageError, ErrorSubcodes.BadBgpIdentifier);
    }

    [Fact]
    public void An_optional_parameter_other_than_Capabilities_is_Unsupported_Optional_Parameter()
    {
        // Type 1 was Authentication Information (RFC 1771), deprecated by RFC 4271.
        var error = ReadError(Frame(BgpMessageType.Open, OpenBody(parameters: [0x01, 0x01, 0x00])), Options);

        AssertReset(error, NotificationCode.OpenMessageError, ErrorSubcodes.UnsupportedOptionalParameter);
    }

    [Fact]
    public void An_optional_parameters_length_that_disagrees_with_the_message_is_an_OPEN_error()
    {
        byte[] body = [4, 0xFD, 0xE9, 0, 90, 10, 0, 0, 1, 5, 0x02, 0x00, 0x00];

        var error = ReadError(Frame(BgpMessageType.Open, body), Options);

        AssertReset(error, NotificationCode.OpenMessageError, 0);
    }

    [Theory]
    [InlineData(new byte[] { 0x02 })]
    [InlineData(new byte[] { 0x02, 0x05, 0x41, 0x04 })]
    [InlineData(new byte[] { 0x02, 0x03, 0x41, 0x04, 0x00 })]
    [InlineData(new byte[] { 0x02, 0x01, 0x41 })]
    public void A_truncated_parameter_or_capability_is_an_OPEN_error(byte[] parameters)
    {
        var error = ReadError(Frame(BgpMessageType.Open, OpenBody(parameters: parameters)), Options);

        AssertReset(error, NotificationCode.OpenMessageError, 0);
    }

    [Fact]
    public void Capabilities_beyond_one_parameter_cannot_be_written()
    {
        var open = new OpenMessage(65001, 90, 1, [new UnknownCapability(99, new byte[252])]);

        Assert.Throws<InvalidOperationException>(() => open.ToArray(Options));
    }

    [Fact]
    public void ToString_names_the_AS_and_the_capabilities()
    {
        var open = new OpenMessage(4200000001, 90, 0x0A000001, [new FourOctetAsCapability(4200000001), new RouteRefreshCapability(), new UnknownCapability(99, default)]);

        Assert.Equal("OPEN as 4200000001 hold 90 id 10.0.0.1 caps [4-octet-as, route-refresh, capability-99]", open.ToString());
    }
}
