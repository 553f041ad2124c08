using System.Net.Sockets;
using Routing.Dataplane.Ipsets;

namespace Routing.Dataplane.Tests.Ipsets;

public class IpsetSaveParserTests
{
    [Fact]
    public void Our_sets_are_read_with_type_family_capacity_and_members()
    {
        const string Save = """
            create KUBE-X hash:ip family inet hashsize 1024 maxelem 65536
            add KUBE-X 10.0.0.1
            create rt-n hash:net family inet hashsize 1024 maxelem 1048576 bucketsize 12 initval 0xc0a90292
            add rt-n 10.1.1.1
            add rt-n 10.0.0.0/24 nomatch
            create rt-6 hash:ip,port family inet6 hashsize 1024 maxelem 65536 bucketsize 12 initval 0x26f15ec5
            add rt-6 fd00::1,tcp:80
            create rt-l list:set size 8
            """;

        var sets = IpsetSaveParser.Parse(Save, "rt-").Sets;

        Assert.Equal(["rt-6", "rt-l", "rt-n"], sets.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(IpsetType.HashNet, sets["rt-n"].Type);
        Assert.Equal(AddressFamily.InterNetwork, sets["rt-n"].Family);
        Assert.Equal(1048576, sets["rt-n"].MaxElements);
        Assert.Equal(["10.0.0.0/24", "10.1.1.1"], sets["rt-n"].Members.Order(StringComparer.Ordinal));
        Assert.Equal(IpsetType.HashIpPort, sets["rt-6"].Type);
        Assert.Equal(AddressFamily.InterNetworkV6, sets["rt-6"].Family);
        Assert.Equal(["fd00::1,tcp:80"], sets["rt-6"].Members);
        Assert.Null(sets["rt-l"].Type);
    }
}
