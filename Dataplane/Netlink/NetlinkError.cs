using System.Buffers.Binary;

namespace Routing.Dataplane.Netlink;

/// <summary>
/// The payload of an NLMSG_ERROR message: an error (0 is an ACK) and the header of the request
/// it answers, then (with NETLINK_EXT_ACK, flagged NLM_F_ACK_TLVS) attributes such as the
/// kernel's text.
/// <code>
/// struct nlmsgerr {          // linux/netlink.h
///     int error;             // negative errno, or 0 for an ACK
///     struct nlmsghdr msg;   // the request's header (its payload too, unless NETLINK_CAP_ACK)
/// };                         // NLMSGERR_ATTR_* follow when NLM_F_ACK_TLVS is set
/// </code>
/// </summary>
public readonly record struct NetlinkError(int Errno, uint RequestSequence, string? KernelMessage)
{
    private const int ErrorLength = 4;
    private const ushort AttributeMessage = 1; // NLMSGERR_ATTR_MSG

    public bool IsAck => Errno == 0;

    public static NetlinkError Read(in NetlinkMessage message)
    {
        var payload = message.Payload;
        if (payload.Length < ErrorLength + NetlinkMessage.HeaderLength)
        {
            throw new NetlinkProtocolException($"an NLMSG_ERROR of {payload.Length} bytes");
        }

        var errno = -BinaryPrimitives.ReadInt32LittleEndian(payload);
        var request = payload[ErrorLength..];
        var requestLength = (int)BinaryPrimitives.ReadUInt32LittleEndian(request);
        var sequence = BinaryPrimitives.ReadUInt32LittleEndian(request[8..]);
        string? text = null;
        if ((message.Flags & NetlinkMessageFlags.AckTlvs) != 0)
        {
            // With CAP_ACK only the header was echoed; otherwise the whole request precedes the attributes.
            var echoed = (message.Flags & NetlinkMessageFlags.Capped) != 0 ? NetlinkMessage.HeaderLength : NetlinkMessage.Align(requestLength);
            var offset = ErrorLength + Math.Min(echoed, payload.Length - ErrorLength);
            var attributes = new NetlinkAttributeReader(payload[offset..]);
            while (attributes.TryRead(out var type, out var value))
            {
                if (type == AttributeMessage)
                {
                    text = NetlinkAttributeReader.ReadString(value);
                }
            }
        }

        return new NetlinkError(errno, sequence, text);
    }
}
