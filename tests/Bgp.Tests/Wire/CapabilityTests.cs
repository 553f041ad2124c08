using Routing.Bgp.Wire;
using Routing.Bgp.Wire.Capabilities;
using static Routing.Bgp.Tests.Wire.TestWire;

namespace Routing.Bgp.Tests.Wire;

/// <summary>Each capability's value layout, byte for byte, and what a malformed one costs.</summary>
public class CapabilityTests
{
    private static readonly SessionOptions Options = SessionOptions.Initial;

    // Header 19 + version..Opt Parm Len 10 + parameter type and length 2.
    private const int FirstCapability = 31;

    private static byte[] CapabilityBytes(Capability capability) =>
        new OpenMessage(65001, 90, 1, [capability]).ToArray(Options)[FirstCapability..];

    private static byte[] OpenWithCapability(params byte[] capability) =>
        Frame(BgpMessageType.Open, [4, 0xFD, 0xE9, 0, 90, 0, 0, 0, 1, (byte)(capability.Length + 2), 0x02, (byte)capability.Length, .. capability]);

    [Fact]
    public void Multiprotocol_is_AFI_reserved_SAFI()
    {
        // RFC 4760 §8.
        Assert.Equal(new byte[] { 1, 4, 0, 2, 0, 1 }, CapabilityBytes(new MultiprotocolCapability(AfiSafi.Ipv6Unicast)));
        Assert.Equal(new byte[] { 1, 4, 0, 1, 0, 1 }, CapabilityBytes(new MultiprotocolCapability(AfiSafi.Ipv4Unicast)));
    }

    [Fact]
    public void Capabilities_without_a_value_are_code_and_zero_length()
    {
        Assert.Equal(new byte[] { 2, 0 }, CapabilityBytes(new RouteRefreshCapability()));
        Assert.Equal(new byte[] { 70, 0 }, CapabilityBytes(new EnhancedRouteRefreshCapability()));
        Assert.Equal(new byte[] { 6, 0 }, CapabilityBytes(new ExtendedMessageCapability()));
    }

    [Fact]
    public void Four_octet_AS_carries_the_AS_in_four_octets()
    {
        // RFC 6793 §3: 4200000001 = 0xFA56EA01.
        Assert.Equal(new byte[] { 65, 4, 0xFA, 0x56, 0xEA, 0x01 }, CapabilityBytes(new FourOctetAsCapability(4200000001)));
    }

    [Fact]
    public void Graceful_restart_is_flags_and_time_then_families_with_forwarding_bits()
    {
        // RFC 4724 §3: R (0x8) and N (0x4, RFC 8538) bits, 12-bit restart time, then AFI/SAFI/flags (F = 0x80).
        var capability = new GracefulRestartCapability(true, true, 120, new GracefulRestartFamily[] { new(AfiSafi.Ipv4Unicast, true), new(AfiSafi.Ipv6Unicast, false) });

        Assert.Equal(
            new byte[] { 64, 10, 0xC0, 120, 0, 1, 1, 0x80, 0, 2, 1, 0 },
            CapabilityBytes(capability));
    }

    [Fact]
    public void Graceful_restart_reads_flags_and_time_apart()
    {
        var open = ReadMessage<OpenMessage>(OpenWithCapability(64, 6, 0x4F, 0xFF, 0, 2, 1, 0x80), Options);

        var capability = open.Capability<GracefulRestartCapability>()!;
        Assert.False(capability.Restarting);
        Assert.True(capability.NotificationSupport);
        Assert.Equal(4095, capability.RestartTime);
        Assert.Equal([new GracefulRestartFamily(AfiSafi.Ipv6Unicast, true)], capability.Families);
    }

    [Fact]
    public void Extended_next_hop_is_NLRI_AFI_NLRI_SAFI_and_next_hop_AFI_each_in_two_octets()
    {
        // RFC 8950 §3: IPv4 unicast over IPv6 next hops.
        var capability = new ExtendedNextHopCapability(new ExtendedNextHopEntry[] { new(AfiSafi.Ipv4Unicast, AfiSafi.AfiIPv6) });

        Assert.Equal(new byte[] { 5, 6, 0, 1, 0, 1, 0, 2 }, CapabilityBytes(capability));
    }

    [Fact]
    public void ADD_PATH_is_AFI_SAFI_and_send_receive_per_family()
    {
        // RFC 7911 §4: Send/Receive 1 = receive, 2 = send, 3 = both.
        var capability = new AddPathCapability(new AddPathEntry[] { new(AfiSafi.Ipv4Unicast, AddPathMode.Both), new(AfiSafi.Ipv6Unicast, AddPathMode.Receive) });

        Assert.Equal(new byte[] { 69, 8, 0, 1, 1, 3, 0, 2, 1, 1 }, CapabilityBytes(capability));
    }

    [Fact]
    public void An_unknown_capability_is_kept_as_received()
    {
        var open = ReadMessage<OpenMessage>(OpenWithCapability(99, 3, 7, 8, 9), Options);

        var capability = Assert.IsType<UnknownCapability>(Assert.Single(open.Capabilities));
        Assert.Equal(99, capability.Code);
        Assert.Equal(new byte[] { 7, 8, 9 }, capability.Value.AsSpan().ToArray());
        Assert.Equal(new byte[] { 99, 3, 7, 8, 9 }, CapabilityBytes(capability));
    }

    [Theory]
    [InlineData(new byte[] { 1, 3, 0, 1, 1 })]
    [InlineData(new byte[] { 1, 5, 0, 1, 0, 1, 0 })]
    [InlineData(new byte[] { 2, 1, 0 })]
    [InlineData(new byte[] { 70, 1, 0 })]
    [InlineData(new byte[] { 6, 1, 0 })]
    [InlineData(new byte[] { 65, 2, 0xFD, 0xE9 })]
    [InlineData(new byte[] { 64, 1, 0 })]
    [InlineData(new byte[] { 64, 5, 0, 120, 0, 1, 1 })]
    [InlineData(new byte[] { 5, 5, 0, 1, 0, 1, 0 })]
    [InlineData(new byte[] { 5, 6, 0, 1, 1, 0, 0, 2 })]
    [InlineData(new byte[] { 69, 3, 0, 1, 1 })]
    [InlineData(new byte[] { 69, 4, 0, 1, 1, 0 })]
    [InlineData(new byte[] { 69, 4, 0, 1, 1, 4 })]
    public void A_malformed_known_capability_is_an_OPEN_error_carrying_it(byte[] capability)
    {
        var error = ReadError(OpenWithCapability(capability), Options);

        AssertReset(error, NotificationCode.OpenMessageError, 0);
        Assert.Equal(capability, error.Data.ToArray());
    }
}
