using System.Net;
using System.Net.NetworkInformation;
using Routing.Dataplane.Neighbours;
using Routing.Dataplane.Netlink;
using Routing.Dataplane.Tests.Kit;

namespace Routing.Dataplane.Tests.Neighbours;

public class NeighbourMessageTests
{
    private static byte[] Body(Neighbour neighbour)
    {
        var builder = new NetlinkMessageBuilder();
        builder.BeginMessage(NetlinkMessageType.NewNeighbour, NetlinkMessageFlags.Request, 1);
        NeighbourMessage.WriteBody(builder, neighbour);
        builder.EndMessage();
        return builder.Written[NetlinkMessage.HeaderLength..].ToArray();
    }

    [Fact]
    public void Permanent_arp_entry_matches_iproute2()
    {
        // ip neigh add 10.0.0.2 lladdr 02:00:00:00:00:02 dev v0 nud permanent   (index 3)
        Assert.Equal(
            Bytes.FromStrace(@"\x02\x00\x00\x00\x03\x00\x00\x00\x80\x00\x00\x00\x08\x00\x01\x00\x0a\x00\x00\x02\x0a\x00\x02\x00\x02\x00\x00\x00\x00\x02\x00\x00"),
            Body(Neighbour.Permanent(3, IPAddress.Parse("10.0.0.2"), PhysicalAddress.Parse("02-00-00-00-00-02"))));
    }

    [Fact]
    public void Vxlan_forwarding_entry_matches_bridge_fdb()
    {
        // bridge fdb append 00:00:00:00:00:00 dev vx0 dst 10.0.0.7 self permanent   (index 4)
        Assert.Equal(
            Bytes.FromStrace(@"\x07\x00\x00\x00\x04\x00\x00\x00\xc0\x00\x02\x00\x0a\x00\x02\x00\x00\x00\x00\x00\x00\x00\x00\x00\x08\x00\x01\x00\x0a\x00\x00\x07"),
            Body(Neighbour.VxlanForwarding(4, PhysicalAddress.Parse("00-00-00-00-00-00"), IPAddress.Parse("10.0.0.7"))));
    }

    [Fact]
    public void Round_trips()
    {
        var entry = Neighbour.VxlanForwarding(4, PhysicalAddress.Parse("66-55-44-33-22-11"), IPAddress.Parse("2001:db8::7"));
        Assert.True(NeighbourMessage.TryRead(Body(entry), out var read));
        Assert.Equal(entry, read);
    }
}
