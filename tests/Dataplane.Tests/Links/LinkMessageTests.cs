using System.Net;
using System.Net.NetworkInformation;
using Routing.Dataplane.Links;
using Routing.Dataplane.Netlink;
using Routing.Dataplane.Tests.Kit;

namespace Routing.Dataplane.Tests.Links;

/// <summary>RTM_NEWLINK bodies against iproute2 6.1's bytes for the same commands (strace -xx -e sendmsg ip link …).</summary>
public class LinkMessageTests
{
    private static byte[] Body(Action<NetlinkMessageBuilder> write)
    {
        var builder = new NetlinkMessageBuilder();
        builder.BeginMessage(NetlinkMessageType.NewLink, NetlinkMessageFlags.Request, 1);
        write(builder);
        builder.EndMessage();
        return builder.Written[NetlinkMessage.HeaderLength..].ToArray();
    }

    [Fact]
    public void Vxlan_matches_iproute2()
    {
        // ip link add vx0 type vxlan id 42 local 10.0.0.1 dstport 4789 nolearning dev v0   (v0 is index 3)
        var spec = new VxlanSpec("vx0", 42) { Local = IPAddress.Parse("10.0.0.1"), ParentIndex = 3 };
        Assert.Equal(
            Bytes.FromStrace(
                @"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x08\x00\x03\x00\x76\x78\x30\x00\x3c\x00\x12\x00\x09\x00\x01\x00"
                + @"\x76\x78\x6c\x61\x6e\x00\x00\x00\x2c\x00\x02\x00\x08\x00\x03\x00\x03\x00\x00\x00\x08\x00\x01\x00\x2a\x00\x00\x00\x08\x00\x04\x00"
                + @"\x0a\x00\x00\x01\x05\x00\x07\x00\x00\x00\x00\x00\x06\x00\x0f\x00\x12\xb5\x00\x00"),
            Body(b => LinkMessage.WriteCreate(b, spec)));
    }

    [Fact]
    public void Tunl0_style_ipip_matches_iproute2()
    {
        // ip link add tunl0 type ipip
        Assert.Equal(
            Bytes.FromStrace(@"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x0a\x00\x03\x00\x74\x75\x6e\x6c\x30\x00\x00\x00\x0c\x00\x12\x00\x08\x00\x01\x00\x69\x70\x69\x70"),
            Body(b => LinkMessage.WriteCreate(b, new IpipSpec("tunl0"))));
    }

    [Fact]
    public void Ipip_with_ends_carries_local_remote_and_parent()
    {
        var body = Body(b => LinkMessage.WriteCreate(b, new IpipSpec("tunl1") { Local = IPAddress.Parse("10.0.0.1"), Remote = IPAddress.Parse("10.0.0.2"), ParentIndex = 3 }));
        var data = Nested(Nested(body.AsSpan(LinkMessage.HeaderLength), LinkMessage.LinkInfo), LinkMessage.InfoData);
        var values = Attributes(data);
        Assert.Equal(3u, NetlinkAttributeReader.ReadUInt32(values[LinkMessage.TunnelLink]));
        Assert.Equal(IPAddress.Parse("10.0.0.1"), NetlinkAttributeReader.ReadAddress(values[LinkMessage.TunnelLocal]));
        Assert.Equal(IPAddress.Parse("10.0.0.2"), NetlinkAttributeReader.ReadAddress(values[LinkMessage.TunnelRemote]));
        Assert.Equal(1, values[LinkMessage.TunnelPmtuDiscovery][0]);
    }

    [Fact]
    public void Bridge_matches_iproute2()
    {
        // ip link add br0 type bridge
        Assert.Equal(
            Bytes.FromStrace(@"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x08\x00\x03\x00\x62\x72\x30\x00\x10\x00\x12\x00\x0a\x00\x01\x00\x62\x72\x69\x64\x67\x65\x00\x00"),
            Body(b => LinkMessage.WriteCreate(b, new BridgeSpec("br0"))));
    }

    [Fact]
    public void Set_up_mtu_and_address_match_iproute2()
    {
        // ip link set v0 up / mtu 1400 / address 02:00:00:00:00:01   (index 3)
        Assert.Equal(Bytes.FromStrace(@"\x00\x00\x00\x00\x03\x00\x00\x00\x01\x00\x00\x00\x01\x00\x00\x00"), Body(b => LinkMessage.WriteHeader(b, 3, LinkMessage.FlagUp, LinkMessage.FlagUp)));
        Assert.Equal(
            Bytes.FromStrace(@"\x00\x00\x00\x00\x03\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x08\x00\x04\x00\x78\x05\x00\x00"),
            Body(b =>
            {
                LinkMessage.WriteHeader(b, 3);
                b.PutUInt32(LinkMessage.Mtu, 1400);
            }));
        Assert.Equal(
            Bytes.FromStrace(@"\x00\x00\x00\x00\x03\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x0a\x00\x01\x00\x02\x00\x00\x00\x00\x01\x00\x00"),
            Body(b =>
            {
                LinkMessage.WriteHeader(b, 3);
                b.PutAttribute(LinkMessage.Address, PhysicalAddress.Parse("02-00-00-00-00-01").GetAddressBytes());
            }));
    }

    [Fact]
    public void Veth_peer_nests_its_own_ifinfomsg_name_and_namespace()
    {
        var body = Body(b => LinkMessage.WriteCreate(b, new VethSpec("a0", "b0") { Mtu = 1450, PeerMtu = 1450 }));
        var info = Nested(body.AsSpan(LinkMessage.HeaderLength), LinkMessage.LinkInfo);
        Assert.Equal("veth", NetlinkAttributeReader.ReadString(Attributes(info)[LinkMessage.InfoKind]));
        var peer = Nested(Nested(info, LinkMessage.InfoData), LinkMessage.VethPeer);
        var peerAttributes = Attributes(peer.AsSpan(LinkMessage.HeaderLength));
        Assert.Equal("b0", NetlinkAttributeReader.ReadString(peerAttributes[LinkMessage.Name]));
        Assert.Equal(1450u, NetlinkAttributeReader.ReadUInt32(peerAttributes[LinkMessage.Mtu]));
    }

    [Fact]
    public void Reads_back_a_vxlan_link()
    {
        var spec = new VxlanSpec("vx0", 4096) { Local = IPAddress.Parse("10.0.0.1"), ParentIndex = 3, Port = 4789 };
        var body = Body(b => LinkMessage.WriteCreate(b, spec));
        var link = LinkMessage.Read(body);
        Assert.Equal("vx0", link.Name);
        Assert.Equal("vxlan", link.Kind);
        Assert.Equal(new VxlanAttributes(4096, IPAddress.Parse("10.0.0.1"), 4789, false, 3), link.Vxlan);
    }

    [Fact]
    public void Refuses_a_name_the_kernel_would()
    {
        Assert.Throws<ArgumentException>(() => Body(b => LinkMessage.WriteCreate(b, new BridgeSpec("a-name-longer-than-15"))));
        Assert.Throws<ArgumentException>(() => Body(b => LinkMessage.WriteCreate(b, new VxlanSpec("vx0", 1 << 24))));
    }

    private static byte[] Nested(ReadOnlySpan<byte> attributes, ushort type) => Attributes(attributes)[type];

    private static Dictionary<ushort, byte[]> Attributes(ReadOnlySpan<byte> attributes)
    {
        var result = new Dictionary<ushort, byte[]>();
        var reader = new NetlinkAttributeReader(attributes);
        while (reader.TryRead(out var type, out var value))
        {
            result[type] = value.ToArray();
        }

        return result;
    }
}
