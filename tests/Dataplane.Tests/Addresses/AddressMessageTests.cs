using System.Net;
using Routing.Dataplane.Addresses;
using Routing.Dataplane.Netlink;
using Routing.Dataplane.Tests.Kit;

namespace Routing.Dataplane.Tests.Addresses;

public class AddressMessageTests
{
    private static byte[] Body(InterfaceAddress address)
    {
        var builder = new NetlinkMessageBuilder();
        builder.BeginMessage(NetlinkMessageType.NewAddress, NetlinkMessageFlags.Request, 1);
        AddressMessage.WriteBody(builder, address);
        builder.EndMessage();
        return builder.Written[NetlinkMessage.HeaderLength..].ToArray();
    }

    [Fact]
    public void IPv4_carries_local_and_address_as_iproute2_does()
    {
        // ip addr add 10.0.0.1/24 dev v0   (index 3)
        Assert.Equal(
            Bytes.FromStrace(@"\x02\x18\x00\x00\x03\x00\x00\x00\x08\x00\x02\x00\x0a\x00\x00\x01\x08\x00\x01\x00\x0a\x00\x00\x01"),
            Body(InterfaceAddress.Parse(3, "10.0.0.1/24")));
    }

    [Fact]
    public void IPv6_nodad_matches_iproute2()
    {
        // ip -6 addr add 2001:db8::1/64 dev v0 nodad
        Assert.Equal(
            Bytes.FromStrace(
                @"\x0a\x40\x02\x00\x03\x00\x00\x00\x14\x00\x02\x00\x20\x01\x0d\xb8\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01"
                + @"\x14\x00\x01\x00\x20\x01\x0d\xb8\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01"),
            Body(InterfaceAddress.Parse(3, "2001:db8::1/64") with { Flags = AddressFlags.NoDad }));
    }

    [Fact]
    public void Round_trips_scope_flags_and_label()
    {
        var address = InterfaceAddress.Parse(7, "192.168.1.5/16") with { Scope = 253, Flags = AddressFlags.NoPrefixRoute | AddressFlags.Permanent, Label = "eth0:1" };
        var read = AddressMessage.Read(Body(address));
        Assert.Equal(address, read);
        Assert.Equal(IPAddress.Parse("192.168.1.5"), read.Address);
    }
}
