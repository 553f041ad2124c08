using Routing.Dataplane.Netlink;

namespace Routing.Dataplane.Tests.Netlink;

public class NetlinkMessageBuilderTests
{
    [Fact]
    public void Messages_and_attributes_are_padded_to_four_bytes_and_nests_measure_their_children()
    {
        var builder = new NetlinkMessageBuilder(64);
        builder.BeginMessage(NetlinkMessageType.NewLink, NetlinkMessageFlags.Create, 1);
        builder.AppendHeader(16);
        builder.PutString(3, "eth0");          // 4 + 5 bytes, padded to 12
        var nest = builder.BeginNested(18);
        builder.PutString(1, "veth");          // 4 + 5, padded to 12
        builder.EndNested(nest);
        builder.EndMessage();
        builder.BeginMessage(NetlinkMessageType.DeleteLink, NetlinkMessageFlags.None, 2);
        builder.AppendHeader(16);
        builder.EndMessage();
        builder.AddFlagsToLastMessage(NetlinkMessageFlags.Ack);

        Assert.Equal(2, builder.MessageCount);
        var reader = new NetlinkMessageReader(builder.Written);
        Assert.True(reader.TryRead(out var first));
        Assert.Equal(16 + 12 + 16, first.Payload.Length);
        var attributes = new NetlinkAttributeReader(first.Payload[16..]);
        Assert.True(attributes.TryRead(out var type, out var value));
        Assert.Equal(3, type);
        Assert.Equal("eth0", NetlinkAttributeReader.ReadString(value));
        Assert.True(attributes.TryRead(out type, out value));
        Assert.Equal(18, type);
        Assert.Equal(12, value.Length);
        Assert.Equal(NetlinkMessageFlags.Create, first.Flags);
        Assert.True(reader.TryRead(out var second));
        Assert.Equal(NetlinkMessageFlags.Ack, second.Flags);
        Assert.Equal(2u, second.Sequence);
        Assert.False(reader.TryRead(out _));
    }

    [Fact]
    public void Grows_past_its_first_capacity()
    {
        var builder = new NetlinkMessageBuilder(64);
        for (var i = 0; i < 1000; i++)
        {
            builder.BeginMessage(NetlinkMessageType.NewRoute, NetlinkMessageFlags.None, (uint)i);
            builder.AppendHeader(12);
            builder.PutUInt32(6, (uint)i);
            builder.EndMessage();
        }

        var reader = new NetlinkMessageReader(builder.Written);
        var count = 0;
        while (reader.TryRead(out var message))
        {
            Assert.Equal((uint)count++, message.Sequence);
        }

        Assert.Equal(1000, count);
    }
}
