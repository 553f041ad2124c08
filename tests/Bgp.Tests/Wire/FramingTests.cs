using System.Buffers;
using Routing.Bgp.Wire;
using Routing.Bgp.Wire.Attributes;
using Routing.Bgp.Wire.Capabilities;
using static Routing.Bgp.Tests.Wire.TestWire;

namespace Routing.Bgp.Tests.Wire;

/// <summary>RFC 4271 §4.1 and §6.1: the message header and how messages are cut off a byte stream.</summary>
public class FramingTests
{
    private static readonly SessionOptions Options = SessionOptions.Modern;

    private static byte[] SampleUpdate()
    {
        var attributes = new PathAttributes
        {
            AsPath = AsPath.Sequence(65001, 65002),
            NextHop = System.Net.IPAddress.Parse("192.0.2.1"),
            Communities = new uint[] { Community.Of(65001, 1) },
        };
        return new UpdateMessage(attributes: attributes, nlri: [new(Prefix.Parse("10.1.0.0/16")), new(Prefix.Parse("10.2.0.0/16"))]).ToArray(Options);
    }

    [Fact]
    public void Returns_false_and_consumes_nothing_until_the_whole_message_is_buffered()
    {
        var bytes = SampleUpdate();

        for (var available = 0; available < bytes.Length; available++)
        {
            var buffer = new ReadOnlySequence<byte>(bytes, 0, available);
            Assert.False(BgpMessage.TryRead(ref buffer, Options, out var message, out var error));
            Assert.Null(message);
            Assert.Null(error);
            Assert.Equal(available, buffer.Length);
        }

        var whole = new ReadOnlySequence<byte>(bytes);
        Assert.True(BgpMessage.TryRead(ref whole, Options, out var decoded, out var none));
        Assert.Null(none);
        Assert.IsType<UpdateMessage>(decoded);
        Assert.True(whole.IsEmpty);
    }

    [Fact]
    public void Bytes_fed_one_at_a_time_yield_each_message_once_it_is_complete()
    {
        // As a session loop would: append what arrived, read as many messages as are whole.
        var stream = Concat(SampleUpdate(), KeepaliveMessage.Instance.ToArray(Options), new NotificationMessage(NotificationCode.Cease, ErrorSubcodes.PeerDeconfigured).ToArray(Options));
        var pending = new List<byte>();
        var read = new List<(int At, BgpMessageType Type)>();

        for (var i = 0; i < stream.Length; i++)
        {
            pending.Add(stream[i]);
            var buffer = new ReadOnlySequence<byte>(pending.ToArray());
            while (BgpMessage.TryRead(ref buffer, Options, out var message, out var error))
            {
                Assert.Null(error);
                read.Add((i + 1, message!.Type));
            }

            pending = [.. buffer.ToArray()];
        }

        var updateLength = SampleUpdate().Length;
        Assert.Equal(
            [(updateLength, BgpMessageType.Update), (updateLength + 19, BgpMessageType.Keepalive), (stream.Length, BgpMessageType.Notification)],
            read);
        Assert.Empty(pending);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(7)]
    [InlineData(18)]
    [InlineData(19)]
    [InlineData(20)]
    public void Reads_a_message_spread_over_many_segments(int segmentSize)
    {
        var bytes = SampleUpdate();
        var expected = ReadMessage<UpdateMessage>(bytes, Options);

        var buffer = ChunkedSequence.Split(bytes, segmentSize);
        Assert.False(buffer.IsSingleSegment);
        Assert.True(BgpMessage.TryRead(ref buffer, Options, out var message, out var error));

        Assert.Null(error);
        var update = Assert.IsType<UpdateMessage>(message);
        Assert.True(buffer.IsEmpty);
        Assert.Equal(expected.Attributes, update.Attributes);
        Assert.Equal(expected.Nlri, update.Nlri);
    }

    [Fact]
    public void An_incomplete_message_across_segments_is_left_in_the_buffer()
    {
        var bytes = SampleUpdate();
        var buffer = ChunkedSequence.Of(bytes[..10], bytes[10..19], bytes[19..^1]);

        Assert.False(BgpMessage.TryRead(ref buffer, Options, out _, out _));
        Assert.Equal(bytes.Length - 1, buffer.Length);
    }

    [Fact]
    public void Two_messages_back_to_back_are_read_one_after_the_other()
    {
        var open = new OpenMessage(65001, 90, 0x0A000001, [new FourOctetAsCapability(65001)]);
        var buffer = new ReadOnlySequence<byte>(Concat(KeepaliveMessage.Instance.ToArray(Options), open.ToArray(Options)));

        Assert.True(BgpMessage.TryRead(ref buffer, Options, out var first, out _));
        Assert.Same(KeepaliveMessage.Instance, first);
        Assert.Equal(open.ToArray(Options).Length, buffer.Length);

        Assert.True(BgpMessage.TryRead(ref buffer, Options, out var second, out _));
        Assert.Equal(65001u, Assert.IsType<OpenMessage>(second).AsNumber);
        Assert.True(buffer.IsEmpty);

        Assert.False(BgpMessage.TryRead(ref buffer, Options, out _, out _));
    }

    [Fact]
    public void A_whole_message_is_read_even_when_part_of_the_next_one_follows()
    {
        var keepalive = KeepaliveMessage.Instance.ToArray(Options);
        var buffer = new ReadOnlySequence<byte>(Concat(keepalive, keepalive[..10]));

        Assert.True(BgpMessage.TryRead(ref buffer, Options, out var message, out _));
        Assert.IsType<KeepaliveMessage>(message);
        Assert.False(BgpMessage.TryRead(ref buffer, Options, out _, out _));
        Assert.Equal(10, buffer.Length);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(7)]
    [InlineData(15)]
    public void A_marker_that_is_not_all_ones_is_Connection_Not_Synchronized(int index)
    {
        var bytes = KeepaliveMessage.Instance.ToArray(Options);
        bytes[index] = 0xFE;

        var error = ReadError(bytes, Options);

        AssertReset(error, NotificationCode.MessageHeaderError, ErrorSubcodes.ConnectionNotSynchronized);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(18)]
    [InlineData(4097)]
    [InlineData(65535)]
    public void A_length_outside_19_to_4096_is_Bad_Message_Length_with_the_length_as_data(int length)
    {
        var bytes = FrameWithLength((byte)BgpMessageType.Update, length, 0, 0, 0, 0);

        var error = ReadError(bytes, Options);

        AssertReset(error, NotificationCode.MessageHeaderError, ErrorSubcodes.BadMessageLength);
        Assert.Equal(U16(length), error.Data.ToArray());
    }

    [Fact]
    public void The_length_is_checked_as_soon_as_the_header_is_in()
    {
        // A peer announcing a 5000-byte message without extended messages must not make us wait for it.
        var buffer = new ReadOnlySequence<byte>(FrameWithLength((byte)BgpMessageType.Update, 5000));

        Assert.True(BgpMessage.TryRead(ref buffer, Options, out var message, out var error));

        Assert.Null(message);
        Assert.Equal(ErrorSubcodes.BadMessageLength, error!.Subcode);
    }

    [Fact]
    public void Extended_messages_allow_lengths_up_to_65535()
    {
        // RFC 8654: with the Extended Message capability, UPDATEs may exceed 4096 bytes.
        var extended = SessionOptions.Modern with { ExtendedMessage = true };
        var nlri = Enumerable.Range(0, 1500).Select(i => new Nlri(Prefix.IPv4(0x0A000000u | ((uint)i << 8), 24))).ToArray();
        var update = new UpdateMessage(attributes: new PathAttributes { NextHop = System.Net.IPAddress.Parse("192.0.2.1") }, nlri: nlri);

        var bytes = update.ToArray(extended);
        Assert.True(bytes.Length > 4096);

        Assert.Equal(nlri, RoundTrip(update, extended).Nlri);
        var error = ReadError(bytes, Options);
        Assert.Equal(ErrorSubcodes.BadMessageLength, error.Subcode);
        Assert.Equal(U16(bytes.Length), error.Data.ToArray());
    }

    [Theory]
    [InlineData(BgpMessageType.Keepalive, 20)]
    [InlineData(BgpMessageType.Keepalive, 4096)]
    [InlineData(BgpMessageType.Open, 28)]
    [InlineData(BgpMessageType.Update, 22)]
    [InlineData(BgpMessageType.Notification, 20)]
    [InlineData(BgpMessageType.Notification, 19)]
    public void A_length_too_short_or_long_for_the_type_is_Bad_Message_Length(BgpMessageType type, int length)
    {
        // RFC 4271 §6.1: per-type minimums, and a KEEPALIVE is exactly 19 octets.
        var bytes = Frame(type, new byte[length - BgpMessage.HeaderLength]);

        var error = ReadError(bytes, Options);

        AssertReset(error, NotificationCode.MessageHeaderError, ErrorSubcodes.BadMessageLength);
        Assert.Equal(U16(length), error.Data.ToArray());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(6)]
    [InlineData(9)]
    [InlineData(255)]
    public void An_unknown_type_is_Bad_Message_Type_with_the_type_as_data(byte type)
    {
        var error = ReadError(Frame(type), Options);

        AssertReset(error, NotificationCode.MessageHeaderError, ErrorSubcodes.BadMessageType);
        Assert.Equal([type], error.Data.ToArray());
    }

    [Fact]
    public void Written_header_is_the_marker_the_length_and_the_type()
    {
        var bytes = new RouteRefreshMessage(AfiSafi.Ipv6Unicast).ToArray(Options);

        Assert.Equal(Marker, bytes[..16]);
        Assert.Equal(U16(bytes.Length), bytes[16..18]);
        Assert.Equal((byte)BgpMessageType.RouteRefresh, bytes[18]);
    }

    [Fact]
    public void Write_appends_to_what_the_writer_already_holds()
    {
        var writer = new ArrayBufferWriter<byte>();

        KeepaliveMessage.Instance.Write(writer, Options);
        new RouteRefreshMessage(AfiSafi.Ipv4Unicast).Write(writer, Options);

        Assert.Equal(19 + 23, writer.WrittenCount);
        Assert.Equal(Concat(KeepaliveMessage.Instance.ToArray(Options), new RouteRefreshMessage(AfiSafi.Ipv4Unicast).ToArray(Options)), writer.WrittenSpan.ToArray());
        Assert.Throws<ArgumentNullException>(() => KeepaliveMessage.Instance.Write(null!, Options));
    }
}
