using System.Buffers.Binary;
using Routing.Dataplane.Native;
using Routing.Dataplane.Netlink;

namespace Routing.Dataplane.Tests.Netlink;

public class NetlinkErrorTests
{
    /// <summary>An NLMSG_ERROR as the kernel sends it with NETLINK_CAP_ACK and NETLINK_EXT_ACK: capped, with a message attribute.</summary>
    private static byte[] ErrorDatagram(int errno, uint sequence, string? text)
    {
        var builder = new NetlinkMessageBuilder();
        var flags = NetlinkMessageFlags.Capped | (text is null ? NetlinkMessageFlags.None : NetlinkMessageFlags.AckTlvs);
        builder.BeginMessage(NetlinkMessageType.Error, flags, sequence);
        var body = builder.AppendHeader(4 + NetlinkMessage.HeaderLength);
        BinaryPrimitives.WriteInt32LittleEndian(body, -errno);
        NetlinkMessage.WriteHeader(body[4..], 60, NetlinkMessageType.NewRoute, NetlinkMessageFlags.Request, sequence, 1234);
        if (text is not null)
        {
            builder.PutString(1, text);
        }

        builder.EndMessage();
        return builder.Written.ToArray();
    }

    [Fact]
    public void Reads_errno_sequence_and_the_kernels_text()
    {
        var reader = new NetlinkMessageReader(ErrorDatagram(Errno.ENETUNREACH, 77, "Nexthop has invalid gateway"));
        Assert.True(reader.TryRead(out var message));
        var error = NetlinkError.Read(message);
        Assert.Equal(Errno.ENETUNREACH, error.Errno);
        Assert.Equal(77u, error.RequestSequence);
        Assert.Equal("Nexthop has invalid gateway", error.KernelMessage);
    }

    [Fact]
    public void An_ack_is_error_zero()
    {
        var reader = new NetlinkMessageReader(ErrorDatagram(0, 5, null));
        Assert.True(reader.TryRead(out var message));
        Assert.True(NetlinkError.Read(message).IsAck);
    }

    [Fact]
    public void Exception_names_the_request_and_the_errno()
    {
        var e = new NetlinkException("add route 10.1.0.0/24 via 10.0.0.9 table 254", Errno.ENETUNREACH);
        Assert.Equal("add route 10.1.0.0/24 via 10.0.0.9 table 254: Network is unreachable (ENETUNREACH)", e.Message);
    }

    [Fact]
    public void A_length_past_the_datagram_is_a_protocol_error()
    {
        var datagram = ErrorDatagram(0, 5, null);
        BinaryPrimitives.WriteUInt32LittleEndian(datagram, 4000);
        Assert.Throws<NetlinkProtocolException>(() =>
        {
            var reader = new NetlinkMessageReader(datagram);
            reader.TryRead(out _);
        });
    }
}
