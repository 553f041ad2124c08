using System.Text;
using Routing.Bgp.Wire;
using static Routing.Bgp.Tests.Wire.TestWire;

namespace Routing.Bgp.Tests.Wire;

/// <summary>NOTIFICATION, RFC 4271 §4.5, with the shutdown communication of RFC 8203 / RFC 9003.</summary>
public class NotificationMessageTests
{
    private static readonly SessionOptions Options = SessionOptions.Modern;

    [Fact]
    public void Encodes_code_subcode_and_data()
    {
        var notification = new NotificationMessage(NotificationCode.UpdateMessageError, ErrorSubcodes.MalformedAsPath, new byte[] { 1, 2, 3 });

        Assert.Equal([.. Marker, 0, 24, 3, 3, 11, 1, 2, 3], notification.ToArray(Options));
    }

    [Fact]
    public void A_NOTIFICATION_without_data_is_21_octets()
    {
        var bytes = new NotificationMessage(NotificationCode.HoldTimerExpired, 0).ToArray(Options);

        Assert.Equal([.. Marker, 0, 21, 3, 4, 0], bytes);
        var decoded = ReadMessage<NotificationMessage>(bytes, Options);
        Assert.Equal(NotificationCode.HoldTimerExpired, decoded.Code);
        Assert.Equal(0, decoded.Subcode);
        Assert.True(decoded.Data.IsEmpty);
        Assert.Equal("NOTIFICATION HoldTimerExpired/Hold Timer Expired", decoded.ToString());
    }

    [Fact]
    public void Decodes_known_bytes()
    {
        var decoded = ReadMessage<NotificationMessage>(Frame(BgpMessageType.Notification, 2, 2, 0xFD, 0xE9), Options);

        Assert.Equal(BgpMessageType.Notification, decoded.Type);
        Assert.Equal(NotificationCode.OpenMessageError, decoded.Code);
        Assert.Equal(ErrorSubcodes.BadPeerAs, decoded.Subcode);
        Assert.Equal(new byte[] { 0xFD, 0xE9 }, decoded.Data.ToArray());
        Assert.Null(decoded.ShutdownCommunication);
    }

    [Theory]
    [InlineData(NotificationCode.MessageHeaderError, ErrorSubcodes.BadMessageLength)]
    [InlineData(NotificationCode.OpenMessageError, ErrorSubcodes.UnsupportedCapability)]
    [InlineData(NotificationCode.UpdateMessageError, ErrorSubcodes.InvalidNetworkField)]
    [InlineData(NotificationCode.FsmError, ErrorSubcodes.UnexpectedMessageInOpenConfirm)]
    [InlineData(NotificationCode.Cease, ErrorSubcodes.MaximumPrefixesReached)]
    [InlineData(NotificationCode.RouteRefreshMessageError, 1)]
    public void Survives_a_round_trip(NotificationCode code, byte subcode)
    {
        var decoded = RoundTrip(new NotificationMessage(code, subcode, new byte[] { 9, 8, 7 }), Options);

        Assert.Equal(code, decoded.Code);
        Assert.Equal(subcode, decoded.Subcode);
        Assert.Equal(new byte[] { 9, 8, 7 }, decoded.Data.ToArray());
    }

    [Fact]
    public void From_carries_the_code_subcode_and_data_of_a_decode_error()
    {
        var error = ReadError(Frame(BgpMessageType.Keepalive, 0), Options);

        var notification = NotificationMessage.From(error);

        Assert.Equal([.. Marker, 0, 23, 3, 1, 2, 0, 20], notification.ToArray(Options));
        Assert.Throws<ArgumentNullException>(() => NotificationMessage.From(null!));
    }

    [Fact]
    public void Data_too_large_for_a_message_is_cut_to_fit()
    {
        var bytes = new NotificationMessage(NotificationCode.Cease, 0, new byte[5000]).ToArray(Options);

        Assert.Equal(4096, bytes.Length);
        Assert.Equal(4096 - 21, ReadMessage<NotificationMessage>(bytes, Options).Data.Length);
    }

    [Fact]
    public void Shutdown_is_a_Cease_with_a_length_prefixed_UTF8_message()
    {
        // RFC 9003 §2: Cease, Administrative Shutdown, then Shutdown Communication Length and the UTF-8 text.
        var shutdown = NotificationMessage.Shutdown("bye");

        Assert.Equal([.. Marker, 0, 25, 3, 6, 2, 3, (byte)'b', (byte)'y', (byte)'e'], shutdown.ToArray(Options));
        Assert.Equal("bye", RoundTrip(shutdown, Options).ShutdownCommunication);
        Assert.Equal("NOTIFICATION Cease/Administrative Shutdown: \"bye\"", shutdown.ToString());
    }

    [Fact]
    public void Shutdown_communication_carries_any_UTF8()
    {
        const string Message = "Wartung – zurück um 18:00 🛠";

        var decoded = RoundTrip(NotificationMessage.Shutdown(Message), Options);

        Assert.Equal(Message, decoded.ShutdownCommunication);
        Assert.Equal(Encoding.UTF8.GetByteCount(Message), decoded.Data.Span[0]);
    }

    [Fact]
    public void Shutdown_communication_may_come_with_an_Administrative_Reset()
    {
        var decoded = RoundTrip(NotificationMessage.Shutdown("config change", ErrorSubcodes.AdministrativeReset), Options);

        Assert.Equal(NotificationCode.Cease, decoded.Code);
        Assert.Equal(ErrorSubcodes.AdministrativeReset, decoded.Subcode);
        Assert.Equal("config change", decoded.ShutdownCommunication);
    }

    [Fact]
    public void An_empty_shutdown_communication_is_a_zero_length()
    {
        var shutdown = NotificationMessage.Shutdown(string.Empty);

        Assert.Equal(new byte[] { 0 }, shutdown.Data.ToArray());
        Assert.Equal(string.Empty, shutdown.ShutdownCommunication);
    }

    [Fact]
    public void A_long_shutdown_communication_is_cut_to_255_octets()
    {
        var shutdown = NotificationMessage.Shutdown(new string('a', 300));

        Assert.Equal(256, shutdown.Data.Length);
        Assert.Equal(255, shutdown.Data.Span[0]);
        Assert.Equal(new string('a', 255), shutdown.ShutdownCommunication);
    }

    [Fact]
    public void A_long_shutdown_communication_is_cut_on_a_character_boundary()
    {
        // 'é' is two octets: 127 of them fill 254 octets, a 128th would straddle the limit.
        var shutdown = NotificationMessage.Shutdown(new string('é', 200));

        Assert.Equal(254, shutdown.Data.Span[0]);
        Assert.Equal(new string('é', 127), shutdown.ShutdownCommunication);

        // '🛠' is four octets: 63 fill 252.
        var emoji = NotificationMessage.Shutdown(string.Concat(Enumerable.Repeat("🛠", 100)));
        Assert.Equal(252, emoji.Data.Span[0]);
        Assert.Equal(string.Concat(Enumerable.Repeat("🛠", 63)), emoji.ShutdownCommunication);
    }

    [Fact]
    public void Shutdown_requires_a_message()
    {
        Assert.Throws<ArgumentNullException>(() => NotificationMessage.Shutdown(null!));
    }

    [Theory]
    [InlineData(NotificationCode.Cease, ErrorSubcodes.PeerDeconfigured, new byte[] { 3, 98, 121, 101 })]
    [InlineData(NotificationCode.UpdateMessageError, ErrorSubcodes.AdministrativeShutdown, new byte[] { 3, 98, 121, 101 })]
    [InlineData(NotificationCode.Cease, ErrorSubcodes.AdministrativeShutdown, new byte[] { })]
    [InlineData(NotificationCode.Cease, ErrorSubcodes.AdministrativeShutdown, new byte[] { 4, 98, 121, 101 })]
    [InlineData(NotificationCode.Cease, ErrorSubcodes.AdministrativeShutdown, new byte[] { 2, 0xC3, 0x28 })]
    public void There_is_no_shutdown_communication_unless_a_shutdown_or_reset_carries_a_well_formed_one(NotificationCode code, byte subcode, byte[] data)
    {
        // RFC 9003 §4: a length beyond the data or invalid UTF-8 is not displayed.
        var decoded = ReadMessage<NotificationMessage>(Frame(BgpMessageType.Notification, [(byte)code, subcode, .. data]), Options);

        Assert.Null(decoded.ShutdownCommunication);
    }

    [Fact]
    public void Subcodes_are_described_in_the_RFC_words()
    {
        Assert.Equal("Bad Message Length", ErrorSubcodes.Describe(NotificationCode.MessageHeaderError, ErrorSubcodes.BadMessageLength));
        Assert.Equal("Unsupported Version Number", ErrorSubcodes.Describe(NotificationCode.OpenMessageError, ErrorSubcodes.UnsupportedVersionNumber));
        Assert.Equal("Malformed AS_PATH", ErrorSubcodes.Describe(NotificationCode.UpdateMessageError, ErrorSubcodes.MalformedAsPath));
        Assert.Equal("Connection Collision Resolution", ErrorSubcodes.Describe(NotificationCode.Cease, ErrorSubcodes.ConnectionCollisionResolution));
        Assert.Equal("subcode 99", ErrorSubcodes.Describe(NotificationCode.Cease, 99));
    }
}
