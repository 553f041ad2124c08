using System.Buffers;
using System.Buffers.Binary;

namespace Routing.Bgp.Wire;

/// <summary>
/// A BGP message. The codec is pure: bytes and the negotiated <see cref="SessionOptions"/> in,
/// typed messages or a <see cref="BgpError"/> out; no I/O, no session state.
/// </summary>
public abstract class BgpMessage
{
    public const int HeaderLength = 19;
    private const int MarkerLength = 16;

    public abstract BgpMessageType Type { get; }

    // RFC 4271 §4.1, message header:
    //  0                   1                   2                   3
    //  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
    // +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    // |                                                               |
    // +                                                               +
    // |                           Marker                              |
    // +                                                               +
    // |                                                               |
    // +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    // |          Length               |      Type     |
    // +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

    /// <summary>
    /// Frames one message off the front of <paramref name="buffer"/>. Returns false until a whole
    /// message is buffered. When it returns true, exactly one of <paramref name="message"/> and
    /// <paramref name="error"/> is set (an UPDATE with a non-fatal error is a message, see
    /// <see cref="UpdateMessage.TreatAsWithdraw"/>), and the buffer is advanced past it.
    /// </summary>
    public static bool TryRead(ref ReadOnlySequence<byte> buffer, in SessionOptions options, out BgpMessage? message, out BgpError? error)
    {
        message = null;
        error = null;
        if (buffer.Length < HeaderLength)
        {
            return false;
        }

        Span<byte> header = stackalloc byte[HeaderLength];
        buffer.Slice(0, HeaderLength).CopyTo(header);
        if (header[..MarkerLength].ContainsAnyExcept((byte)0xFF))
        {
            error = BgpError.Header(ErrorSubcodes.ConnectionNotSynchronized, "the marker is not all ones");
            buffer = buffer.Slice(buffer.End);
            return true;
        }

        int length = BinaryPrimitives.ReadUInt16BigEndian(header[MarkerLength..]);
        if (length < HeaderLength || length > options.MaxMessageLength)
        {
            error = BgpError.Header(ErrorSubcodes.BadMessageLength, $"message length {length} is outside {HeaderLength}..{options.MaxMessageLength}", header.Slice(MarkerLength, 2));
            buffer = buffer.Slice(buffer.End);
            return true;
        }

        if (buffer.Length < length)
        {
            return false;
        }

        var body = buffer.Slice(HeaderLength, length - HeaderLength);
        if (body.IsSingleSegment)
        {
            message = Decode(header[18], body.FirstSpan, options, out error);
        }
        else
        {
            var rented = ArrayPool<byte>.Shared.Rent((int)body.Length);
            try
            {
                body.CopyTo(rented);
                message = Decode(header[18], rented.AsSpan(0, (int)body.Length), options, out error);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }

        buffer = buffer.Slice(length);
        return true;
    }

    /// <summary>Decodes a message body of the given type (the header already checked).</summary>
    public static BgpMessage? Decode(byte type, ReadOnlySpan<byte> body, in SessionOptions options, out BgpError? error)
    {
        error = null;
        var length = body.Length + HeaderLength;

        // RFC 4271 §6.1: per-type length limits are Message Header Errors carrying the length.
        var badLength = (BgpMessageType)type switch
        {
            BgpMessageType.Open => length < 29,
            BgpMessageType.Update => length < 23,
            BgpMessageType.Notification => length < 21,
            BgpMessageType.Keepalive => length != 19,
            BgpMessageType.RouteRefresh => length != 23,
            _ => false,
        };
        if (badLength && (BgpMessageType)type == BgpMessageType.RouteRefresh && body.Length >= 3 &&
            (RouteRefreshSubtype)body[2] is RouteRefreshSubtype.BeginningOfRouteRefresh or RouteRefreshSubtype.EndOfRouteRefresh)
        {
            // RFC 7313 §5: a BoRR/EoRR whose body is not 4 octets is a ROUTE-REFRESH Message Error
            // whose data is the complete message.
            var message = new byte[length];
            message.AsSpan(0, MarkerLength).Fill(0xFF);
            BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(MarkerLength), (ushort)length);
            message[18] = type;
            body.CopyTo(message.AsSpan(HeaderLength));
            error = BgpError.Reset(NotificationCode.RouteRefreshMessageError, ErrorSubcodes.InvalidMessageLength, $"{(RouteRefreshSubtype)body[2]} of length {length}", message);
            return null;
        }

        if (badLength)
        {
            Span<byte> data = stackalloc byte[2];
            BinaryPrimitives.WriteUInt16BigEndian(data, (ushort)length);
            error = BgpError.Header(ErrorSubcodes.BadMessageLength, $"{(BgpMessageType)type} message of length {length}", data);
            return null;
        }

        switch ((BgpMessageType)type)
        {
            case BgpMessageType.Open:
                return OpenMessage.Decode(body, out error);
            case BgpMessageType.Update:
                return UpdateMessage.Decode(body, options, out error);
            case BgpMessageType.Notification:
                return NotificationMessage.Decode(body);
            case BgpMessageType.Keepalive:
                return KeepaliveMessage.Instance;
            case BgpMessageType.RouteRefresh:
                return RouteRefreshMessage.Decode(body);
            default:
                error = BgpError.Header(ErrorSubcodes.BadMessageType, $"unknown message type {type}", [type]);
                return null;
        }
    }

    /// <summary>Writes the whole message, header included.</summary>
    public void Write(IBufferWriter<byte> writer, in SessionOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var span = writer.GetSpan(options.MaxMessageLength);
        var bodyLength = WriteBody(span[HeaderLength..options.MaxMessageLength], options);
        span[..MarkerLength].Fill(0xFF);
        BinaryPrimitives.WriteUInt16BigEndian(span[MarkerLength..], (ushort)(HeaderLength + bodyLength));
        span[18] = (byte)Type;
        writer.Advance(HeaderLength + bodyLength);
    }

    public byte[] ToArray(in SessionOptions options)
    {
        var writer = new ArrayBufferWriter<byte>(HeaderLength + 64);
        Write(writer, options);
        return writer.WrittenSpan.ToArray();
    }

    /// <summary>Writes the body; returns its length. The destination is sized to the largest message allowed.</summary>
    protected abstract int WriteBody(Span<byte> destination, in SessionOptions options);
}
