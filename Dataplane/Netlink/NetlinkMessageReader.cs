using System.Buffers.Binary;

namespace Routing.Dataplane.Netlink;

/// <summary>Reads the messages of one datagram in turn. Netlink carries host byte order; these machines are little-endian.</summary>
public ref struct NetlinkMessageReader
{
    private ReadOnlySpan<byte> remaining;

    public NetlinkMessageReader(ReadOnlySpan<byte> datagram) => remaining = datagram;

    /// <summary>The next message; false at the end. Throws <see cref="NetlinkProtocolException"/> on a length that does not fit.</summary>
    public bool TryRead(out NetlinkMessage message)
    {
        if (remaining.Length < NetlinkMessage.HeaderLength)
        {
            message = default;
            return false;
        }

        var length = BinaryPrimitives.ReadUInt32LittleEndian(remaining);
        if (length < NetlinkMessage.HeaderLength || length > remaining.Length)
        {
            throw new NetlinkProtocolException($"netlink message length {length} does not fit the {remaining.Length} bytes left in the datagram");
        }

        message = new NetlinkMessage(
            (NetlinkMessageType)BinaryPrimitives.ReadUInt16LittleEndian(remaining[4..]),
            (NetlinkMessageFlags)BinaryPrimitives.ReadUInt16LittleEndian(remaining[6..]),
            BinaryPrimitives.ReadUInt32LittleEndian(remaining[8..]),
            BinaryPrimitives.ReadUInt32LittleEndian(remaining[12..]),
            remaining[NetlinkMessage.HeaderLength..(int)length]);
        var next = NetlinkMessage.Align((int)length);
        remaining = next >= remaining.Length ? default : remaining[next..];
        return true;
    }
}
