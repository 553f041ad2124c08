using System.Buffers.Binary;
using System.Net;

namespace Routing.Dataplane.Netlink;

/// <summary>
/// Reads a run of attributes in turn.
/// <code>
/// struct nlattr {            // linux/netlink.h (struct rtattr has the same layout)
///     __u16 nla_len;         // header included, padding excluded
///     __u16 nla_type;        // top bits: NLA_F_NESTED, NLA_F_NET_BYTEORDER
/// };                         // value follows, padded to 4 bytes
/// </code>
/// </summary>
public ref struct NetlinkAttributeReader
{
    public const int HeaderLength = 4;
    private const ushort TypeMask = 0x3fff;
    private ReadOnlySpan<byte> remaining;

    public NetlinkAttributeReader(ReadOnlySpan<byte> attributes) => remaining = attributes;

    /// <summary>The next attribute's type (flags masked off) and value; false at the end.</summary>
    public bool TryRead(out ushort type, out ReadOnlySpan<byte> value)
    {
        if (remaining.Length < HeaderLength)
        {
            type = 0;
            value = default;
            return false;
        }

        var length = BinaryPrimitives.ReadUInt16LittleEndian(remaining);
        if (length < HeaderLength || length > remaining.Length)
        {
            throw new NetlinkProtocolException($"attribute length {length} does not fit the {remaining.Length} bytes left");
        }

        type = (ushort)(BinaryPrimitives.ReadUInt16LittleEndian(remaining[2..]) & TypeMask);
        value = remaining[HeaderLength..length];
        var next = NetlinkMessage.Align(length);
        remaining = next >= remaining.Length ? default : remaining[next..];
        return true;
    }

    public static uint ReadUInt32(ReadOnlySpan<byte> value) =>
        value.Length >= 4 ? BinaryPrimitives.ReadUInt32LittleEndian(value) : throw Short(value, 4);

    public static ushort ReadUInt16(ReadOnlySpan<byte> value) =>
        value.Length >= 2 ? BinaryPrimitives.ReadUInt16LittleEndian(value) : throw Short(value, 2);

    public static byte ReadByte(ReadOnlySpan<byte> value) => value.Length >= 1 ? value[0] : throw Short(value, 1);

    /// <summary>A NUL-terminated string (IFLA_IFNAME, IFLA_INFO_KIND).</summary>
    public static string ReadString(ReadOnlySpan<byte> value)
    {
        var end = value.IndexOf((byte)0);
        return System.Text.Encoding.UTF8.GetString(end < 0 ? value : value[..end]);
    }

    /// <summary>An IPv4 or IPv6 address, by its length.</summary>
    public static IPAddress ReadAddress(ReadOnlySpan<byte> value) =>
        value.Length is 4 or 16 ? new IPAddress(value) : throw new NetlinkProtocolException($"an address attribute of {value.Length} bytes");

    private static NetlinkProtocolException Short(ReadOnlySpan<byte> value, int wanted) =>
        new($"attribute of {value.Length} bytes where {wanted} were expected");
}
