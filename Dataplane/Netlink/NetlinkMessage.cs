using System.Buffers.Binary;

namespace Routing.Dataplane.Netlink;

/// <summary>
/// One netlink message as read from a buffer: the header fields and the payload after it.
/// <code>
/// struct nlmsghdr {          // RFC 3549 §2.3.2, linux/netlink.h
///     __u32 nlmsg_len;       // length of the message, header included
///     __u16 nlmsg_type;
///     __u16 nlmsg_flags;
///     __u32 nlmsg_seq;       // the request's sequence number, echoed in replies and errors
///     __u32 nlmsg_pid;       // port id of the sender (0: the kernel)
/// };
/// </code>
/// </summary>
public readonly ref struct NetlinkMessage
{
    public const int HeaderLength = 16;

    public NetlinkMessage(NetlinkMessageType type, NetlinkMessageFlags flags, uint sequence, uint portId, ReadOnlySpan<byte> payload)
    {
        Type = type;
        Flags = flags;
        Sequence = sequence;
        PortId = portId;
        Payload = payload;
    }

    public NetlinkMessageType Type { get; }

    public NetlinkMessageFlags Flags { get; }

    public uint Sequence { get; }

    public uint PortId { get; }

    public ReadOnlySpan<byte> Payload { get; }

    /// <summary>NLMSG_ALIGN: messages and attributes start on 4-byte boundaries.</summary>
    public static int Align(int length) => (length + 3) & ~3;

    /// <summary>Writes a header at the start of <paramref name="destination"/>.</summary>
    public static void WriteHeader(Span<byte> destination, int length, NetlinkMessageType type, NetlinkMessageFlags flags, uint sequence, uint portId = 0)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(destination, (uint)length);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[4..], (ushort)type);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[6..], (ushort)flags);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[8..], sequence);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[12..], portId);
    }
}
