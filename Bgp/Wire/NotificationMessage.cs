using System.Text;

namespace Routing.Bgp.Wire;

/// <summary>
/// NOTIFICATION, RFC 4271 §4.5:
/// <code>
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// | Error code    | Error subcode |   Data (variable)             |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// </code>
/// A Cease with subcode Administrative Shutdown or Reset may carry a shutdown communication
/// (RFC 8203, RFC 9003): a length octet and up to 255 octets of UTF-8.
/// </summary>
public sealed class NotificationMessage(NotificationCode code, byte subcode, ReadOnlyMemory<byte> data = default) : BgpMessage
{
    public override BgpMessageType Type => BgpMessageType.Notification;

    public NotificationCode Code { get; } = code;

    public byte Subcode { get; } = subcode;

    public ReadOnlyMemory<byte> Data { get; } = data;

    public static NotificationMessage From(BgpError error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return new(error.Code, error.Subcode, error.Data);
    }

    /// <summary>A Cease with a shutdown communication (RFC 9003), truncated to 255 bytes on a character boundary.</summary>
    public static NotificationMessage Shutdown(string message, byte subcode = ErrorSubcodes.AdministrativeShutdown)
    {
        ArgumentNullException.ThrowIfNull(message);
        var bytes = Encoding.UTF8.GetBytes(message);
        var length = Math.Min(bytes.Length, 255);
        while (length > 0 && length < bytes.Length && (bytes[length] & 0xC0) == 0x80)
        {
            length--;
        }

        var data = new byte[length + 1];
        data[0] = (byte)length;
        bytes.AsSpan(0, length).CopyTo(data.AsSpan(1));
        return new(NotificationCode.Cease, subcode, data);
    }

    /// <summary>The shutdown communication, if this is a Cease that carries a well-formed one.</summary>
    public string? ShutdownCommunication
    {
        get
        {
            if (Code != NotificationCode.Cease || Subcode is not (ErrorSubcodes.AdministrativeShutdown or ErrorSubcodes.AdministrativeReset) || Data.Length < 1)
            {
                return null;
            }

            var span = Data.Span;
            if (span[0] > span.Length - 1)
            {
                return null;
            }

            try
            {
                return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(span.Slice(1, span[0]));
            }
            catch (DecoderFallbackException)
            {
                return null;
            }
        }
    }

    internal static NotificationMessage Decode(ReadOnlySpan<byte> body) =>
        new((NotificationCode)body[0], body[1], body[2..].ToArray());

    protected override int WriteBody(Span<byte> destination, in SessionOptions options)
    {
        destination[0] = (byte)Code;
        destination[1] = Subcode;
        var data = Data.Span[..Math.Min(Data.Length, destination.Length - 2)];
        data.CopyTo(destination[2..]);
        return 2 + data.Length;
    }

    public override string ToString()
    {
        var text = $"NOTIFICATION {Code}/{ErrorSubcodes.Describe(Code, Subcode)}";
        return ShutdownCommunication is { } message ? $"{text}: \"{message}\"" : text;
    }
}
