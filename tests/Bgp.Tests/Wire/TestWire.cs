using System.Buffers;
using System.Buffers.Binary;
using Routing.Bgp.Wire;

namespace Routing.Bgp.Tests.Wire;

/// <summary>
/// Builds messages byte by byte, the way the RFC diagrams lay them out, and reads bytes back
/// through <see cref="BgpMessage.TryRead"/> as a session would.
/// </summary>
internal static class TestWire
{
    public static byte[] Marker { get; } = Enumerable.Repeat((byte)0xFF, 16).ToArray();

    /// <summary>A whole message: marker, length, type, body (RFC 4271 §4.1).</summary>
    public static byte[] Frame(BgpMessageType type, params byte[] body) => Frame((byte)type, body);

    public static byte[] Frame(byte type, params byte[] body)
    {
        var length = BgpMessage.HeaderLength + body.Length;
        return [.. Marker, (byte)(length >> 8), (byte)length, type, .. body];
    }

    /// <summary>A header claiming <paramref name="length"/>, followed by <paramref name="body"/> whatever its size.</summary>
    public static byte[] FrameWithLength(byte type, int length, params byte[] body) =>
        [.. Marker, (byte)(length >> 8), (byte)length, type, .. body];

    /// <summary>An UPDATE body (RFC 4271 §4.3): withdrawn routes length and field, attribute length and field, NLRI.</summary>
    public static byte[] UpdateBody(byte[] withdrawn, byte[] attributes, byte[] nlri) =>
        [(byte)(withdrawn.Length >> 8), (byte)withdrawn.Length, .. withdrawn, (byte)(attributes.Length >> 8), (byte)attributes.Length, .. attributes, .. nlri];

    public static byte[] Update(byte[] withdrawn, byte[] attributes, byte[] nlri) =>
        Frame(BgpMessageType.Update, UpdateBody(withdrawn, attributes, nlri));

    /// <summary>One path attribute: flags, type, a 1- or (with Extended Length) 2-octet length, value.</summary>
    public static byte[] Attribute(byte flags, byte type, params byte[] value) =>
        (flags & 0x10) != 0
            ? [flags, type, (byte)(value.Length >> 8), (byte)value.Length, .. value]
            : [flags, type, (byte)value.Length, .. value];

    public static byte[] Concat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();

    public static byte[] U16(int value) => [(byte)(value >> 8), (byte)value];

    public static byte[] U32(uint value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        return bytes;
    }

    /// <summary>The NLRI encoding of one prefix (RFC 4271 §4.3), with an ADD-PATH id in front when given.</summary>
    public static byte[] NlriOf(string prefix, uint? pathId = null)
    {
        var parsed = Prefix.Parse(prefix);
        var address = new byte[16];
        var count = parsed.WriteNlriBytes(address);
        byte[] entry = [parsed.Length, .. address.AsSpan(0, count)];
        return pathId is { } id ? [.. U32(id), .. entry] : entry;
    }

    public static byte[] NlriOf(params string[] prefixes) => prefixes.SelectMany(p => NlriOf(p)).ToArray();

    // The attributes every IPv4 announcement must carry, on a 4-octet session.
    public static byte[] OriginIgp => Attribute(0x40, 1, 0);

    public static byte[] AsPath4(params uint[] asns) =>
        Attribute(0x40, 2, [2, (byte)asns.Length, .. asns.SelectMany(U32)]);

    public static byte[] AsPath2(params ushort[] asns) =>
        Attribute(0x40, 2, [2, (byte)asns.Length, .. asns.SelectMany(a => U16(a))]);

    public static byte[] NextHop(byte a, byte b, byte c, byte d) => Attribute(0x40, 3, a, b, c, d);

    /// <summary>The path attributes of an encoded UPDATE as (flags, type, value), in wire order.</summary>
    public static List<(byte Flags, byte Type, byte[] Value)> AttributesOf(byte[] update)
    {
        var body = update.AsSpan(BgpMessage.HeaderLength);
        int withdrawnLength = BinaryPrimitives.ReadUInt16BigEndian(body);
        var section = body.Slice(4 + withdrawnLength, BinaryPrimitives.ReadUInt16BigEndian(body[(2 + withdrawnLength)..]));
        var attributes = new List<(byte Flags, byte Type, byte[] Value)>();
        while (!section.IsEmpty)
        {
            var extended = (section[0] & 0x10) != 0;
            var headerLength = extended ? 4 : 3;
            int length = extended ? BinaryPrimitives.ReadUInt16BigEndian(section[2..]) : section[2];
            attributes.Add((section[0], section[1], section.Slice(headerLength, length).ToArray()));
            section = section[(headerLength + length)..];
        }

        return attributes;
    }

    /// <summary>The one attribute of <paramref name="type"/> in an encoded UPDATE, as flags, type, length and value.</summary>
    public static byte[] AttributeOf(byte[] update, byte type)
    {
        var (flags, _, value) = Assert.Single(AttributesOf(update), a => a.Type == type);
        return Attribute(flags, type, value);
    }

    /// <summary>Frames one message off <paramref name="bytes"/>; asserts that it took exactly all of them.</summary>
    public static (BgpMessage? Message, BgpError? Error) Read(byte[] bytes, SessionOptions options)
    {
        var buffer = new ReadOnlySequence<byte>(bytes);
        Assert.True(BgpMessage.TryRead(ref buffer, options, out var message, out var error));
        Assert.Equal(0, buffer.Length);
        Assert.True(message is null ^ error is null, "exactly one of message and error is set");
        return (message, error);
    }

    public static T ReadMessage<T>(byte[] bytes, SessionOptions options)
        where T : BgpMessage
    {
        var (message, error) = Read(bytes, options);
        Assert.Null(error);
        return Assert.IsType<T>(message);
    }

    public static BgpError ReadError(byte[] bytes, SessionOptions options)
    {
        var (message, error) = Read(bytes, options);
        Assert.Null(message);
        Assert.NotNull(error);
        return error;
    }

    public static T RoundTrip<T>(T message, SessionOptions options)
        where T : BgpMessage =>
        ReadMessage<T>(message.ToArray(options), options);

    /// <summary>Asserts an error is a session reset with the given NOTIFICATION code and subcode.</summary>
    public static void AssertReset(BgpError error, NotificationCode code, byte subcode)
    {
        Assert.Equal(code, error.Code);
        Assert.Equal(subcode, error.Subcode);
        Assert.Equal(ErrorAction.SessionReset, error.Action);
    }
}
