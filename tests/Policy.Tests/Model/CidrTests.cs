using System.Net;
using Routing.Policy.Model;

namespace Routing.Policy.Tests.Model;

public class CidrTests
{
    [Theory]
    [InlineData("10.0.0.0/8", "10.0.0.0/8")]
    [InlineData("10.1.2.3/16", "10.1.0.0/16")]
    [InlineData("0.0.0.0/0", "0.0.0.0/0")]
    [InlineData("fd00::1/64", "fd00::/64")]
    public void Parses_and_clears_host_bits(string text, string expected) => Assert.Equal(expected, Cidr.Parse(text).ToString());

    [Theory]
    [InlineData("10.0.0.0")]
    [InlineData("10.0.0.0/33")]
    [InlineData("10.0.0/8")]
    [InlineData("/8")]
    [InlineData("10.0.0.0/-1")]
    [InlineData("fe80::1%eth0/64")]
    public void Rejects(string text) => Assert.False(Cidr.TryParse(text, out _));

    [Fact]
    public void Contains_addresses_and_prefixes_of_its_family_only()
    {
        var cidr = Cidr.Parse("10.1.0.0/16");
        Assert.True(cidr.Contains(IPAddress.Parse("10.1.255.1")));
        Assert.False(cidr.Contains(IPAddress.Parse("10.2.0.1")));
        Assert.False(cidr.Contains(IPAddress.Parse("::ffff:10.1.0.1")));
        Assert.True(cidr.Contains(Cidr.Parse("10.1.2.0/24")));
        Assert.False(cidr.Contains(Cidr.Parse("10.0.0.0/8")));
        Assert.True(Cidr.Parse("0.0.0.0/0").Contains(IPAddress.Parse("192.0.2.1")));
    }

    [Fact]
    public void An_ip_block_excludes_its_exceptions()
    {
        var block = new IpBlock("10.0.0.0/16", ["10.0.1.0/24"]);
        Assert.True(block.Matches(IPAddress.Parse("10.0.2.1")));
        Assert.False(block.Matches(IPAddress.Parse("10.0.1.1")));
        Assert.False(block.Matches(IPAddress.Parse("10.1.0.1")));
    }
}
