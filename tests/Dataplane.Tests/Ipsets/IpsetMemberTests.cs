using System.Net.Sockets;
using Routing.Dataplane.Ipsets;

namespace Routing.Dataplane.Tests.Ipsets;

public class IpsetMemberTests
{
    private const AddressFamily V4 = AddressFamily.InterNetwork;
    private const AddressFamily V6 = AddressFamily.InterNetworkV6;

    [Theory]
    [InlineData(IpsetType.HashIp, V4, "10.0.0.1", "10.0.0.1")]
    [InlineData(IpsetType.HashIp, V4, " 10.0.0.1/32 ", "10.0.0.1")]
    [InlineData(IpsetType.HashIp, V6, "FD00:0:0::1", "fd00::1")]
    [InlineData(IpsetType.HashNet, V4, "10.0.0.5/24", "10.0.0.0/24")]
    [InlineData(IpsetType.HashNet, V4, "10.1.1.1/32", "10.1.1.1")]
    [InlineData(IpsetType.HashNet, V4, "10.1.1.1", "10.1.1.1")]
    [InlineData(IpsetType.HashNet, V4, "10.255.255.255/9", "10.128.0.0/9")]
    [InlineData(IpsetType.HashNet, V6, "fd00:1::5/64", "fd00:1::/64")]
    [InlineData(IpsetType.HashNet, V6, "fd00::1/128", "fd00::1")]
    [InlineData(IpsetType.HashIpPort, V4, "10.0.0.1,80", "10.0.0.1,tcp:80")]
    [InlineData(IpsetType.HashIpPort, V4, "10.0.0.1,UDP:53", "10.0.0.1,udp:53")]
    [InlineData(IpsetType.HashIpPort, V6, "fd00::1,sctp:9", "fd00::1,sctp:9")]
    [InlineData(IpsetType.HashNetIface, V4, "0.0.0.0/0,cali1", "0.0.0.0/0,cali1")]
    [InlineData(IpsetType.HashNetIface, V4, "10.1.2.3/16,eth0", "10.1.0.0/16,eth0")]
    [InlineData(IpsetType.HashNetIface, V6, "::/0,cali1", "::/0,cali1")]
    public void Members_take_the_spelling_ipset_save_prints(IpsetType type, AddressFamily family, string member, string expected) =>
        Assert.Equal(expected, IpsetMember.Normalize(type, family, member));

    [Theory]
    [InlineData(IpsetType.HashIp, V4, "10.0.0.0/24")]
    [InlineData(IpsetType.HashIp, V4, "fd00::1")]
    [InlineData(IpsetType.HashIp, V6, "10.0.0.1")]
    [InlineData(IpsetType.HashIp, V4, "bogus")]
    [InlineData(IpsetType.HashNet, V4, "10.0.0.0/0")]
    [InlineData(IpsetType.HashNet, V4, "10.0.0.0/33")]
    [InlineData(IpsetType.HashIpPort, V4, "10.0.0.1")]
    [InlineData(IpsetType.HashNetIface, V4, "0.0.0.0/0")]
    [InlineData(IpsetType.HashNetIface, V4, "0.0.0.0/0,averyveryverylongname")]
    [InlineData(IpsetType.HashIpPort, V4, "10.0.0.1,icmp:8")]
    [InlineData(IpsetType.HashIpPort, V4, "10.0.0.1,tcp:65536")]
    public void Members_a_set_cannot_hold_are_refused(IpsetType type, AddressFamily family, string member) =>
        Assert.Throws<ArgumentException>(() => IpsetMember.Normalize(type, family, member));
}
