using System.Net;
using Routing.Bgp.Wire;

namespace Routing.Bgp.Tests.Wire;

public class PrefixTests
{
    [Theory]
    [InlineData("10.0.0.0/8", "10.0.0.0/8")]
    [InlineData("10.1.2.3/23", "10.1.2.0/23")]
    [InlineData("192.0.2.1", "192.0.2.1/32")]
    [InlineData("192.0.2.255/32", "192.0.2.255/32")]
    [InlineData("0.0.0.0/0", "0.0.0.0/0")]
    [InlineData("203.0.113.77/0", "0.0.0.0/0")]
    [InlineData("255.255.255.255/1", "128.0.0.0/1")]
    [InlineData("172.31.255.255/12", "172.16.0.0/12")]
    [InlineData("2001:db8::1/32", "2001:db8::/32")]
    [InlineData("2001:db8:abcd:12ff::/56", "2001:db8:abcd:1200::/56")]
    [InlineData("2001:db8::1", "2001:db8::1/128")]
    [InlineData("::/0", "::/0")]
    [InlineData("ffff::/1", "8000::/1")]
    [InlineData("fe80::1:2:3:4/64", "fe80::/64")]
    public void Parse_clears_host_bits_and_formats_address_slash_length(string text, string expected)
    {
        var prefix = Prefix.Parse(text);

        Assert.Equal(expected, prefix.ToString());
        Assert.Equal(expected, $"{prefix}");
        Assert.True(Prefix.TryParse(text, out var parsed));
        Assert.Equal(prefix, parsed);
    }

    [Theory]
    [InlineData("")]
    [InlineData("/8")]
    [InlineData("not-an-address/8")]
    [InlineData("10.0.0.0/")]
    [InlineData("10.0.0.0/33")]
    [InlineData("10.0.0.0/-1")]
    [InlineData("10.0.0.0/+8")]
    [InlineData("10.0.0.0/ 8")]
    [InlineData("10.0.0.0/8/9")]
    [InlineData("2001:db8::/129")]
    [InlineData("2001:db8::/x")]
    public void TryParse_rejects_what_is_not_address_slash_length(string text)
    {
        Assert.False(Prefix.TryParse(text, out _));
        var thrown = Assert.Throws<FormatException>(() => Prefix.Parse(text));
        Assert.Contains(text, thrown.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TryParse_rejects_null()
    {
        Assert.False(Prefix.TryParse(null, out _));
    }

    [Fact]
    public void IPv4_prefix_knows_its_family_and_address()
    {
        var prefix = Prefix.Parse("10.1.2.0/23");

        Assert.False(prefix.IsIPv6);
        Assert.Equal(AfiSafi.Ipv4Unicast, prefix.Family);
        Assert.Equal(32, prefix.MaxLength);
        Assert.Equal(23, prefix.Length);
        Assert.Equal(IPAddress.Parse("10.1.2.0"), prefix.Address);
    }

    [Fact]
    public void IPv6_prefix_knows_its_family_and_address()
    {
        var prefix = Prefix.Parse("2001:db8:1::/48");

        Assert.True(prefix.IsIPv6);
        Assert.Equal(AfiSafi.Ipv6Unicast, prefix.Family);
        Assert.Equal(128, prefix.MaxLength);
        Assert.Equal(48, prefix.Length);
        Assert.Equal(IPAddress.Parse("2001:db8:1::"), prefix.Address);
    }

    [Fact]
    public void Factories_agree_with_Parse()
    {
        Assert.Equal(Prefix.Parse("10.1.2.0/24"), Prefix.IPv4(0x0A010203, 24));
        Assert.Equal(Prefix.Parse("10.1.2.0/24"), Prefix.Create(IPAddress.Parse("10.1.2.3"), 24));
        Assert.Equal(Prefix.Parse("2001:db8::/32"), Prefix.IPv6(new UInt128(0x20010DB8_00000000, 1), 32));
        Assert.Equal(Prefix.Parse("2001:db8::/32"), Prefix.Create(IPAddress.Parse("2001:db8::1"), 32));
    }

    [Fact]
    public void Factories_reject_lengths_beyond_the_family()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Prefix.IPv4(0, 33));
        Assert.Throws<ArgumentOutOfRangeException>(() => Prefix.IPv4(0, -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => Prefix.IPv6(0, 129));
        Assert.Throws<ArgumentOutOfRangeException>(() => Prefix.Create(IPAddress.Parse("10.0.0.0"), 33));
        Assert.Throws<ArgumentNullException>(() => Prefix.Create(null!, 8));
    }

    [Fact]
    public void Default_is_the_IPv4_default_route()
    {
        Assert.Equal(Prefix.Parse("0.0.0.0/0"), default);
    }

    [Theory]
    [InlineData("10.0.0.0/8", "10.1.0.0/16", true)]
    [InlineData("10.0.0.0/8", "10.0.0.0/8", true)]
    [InlineData("10.0.0.0/8", "10.255.255.255/32", true)]
    [InlineData("10.1.0.0/16", "10.0.0.0/8", false)]
    [InlineData("10.0.0.0/8", "11.0.0.0/16", false)]
    [InlineData("10.1.2.0/23", "10.1.3.0/24", true)]
    [InlineData("10.1.2.0/23", "10.1.4.0/24", false)]
    [InlineData("0.0.0.0/0", "203.0.113.0/24", true)]
    [InlineData("0.0.0.0/0", "::/0", false)]
    [InlineData("::/0", "0.0.0.0/0", false)]
    [InlineData("::/0", "2001:db8::/32", true)]
    [InlineData("2001:db8::/32", "2001:db8:ffff::/48", true)]
    [InlineData("2001:db8::/32", "2001:db9::/48", false)]
    [InlineData("2001:db8::1/128", "2001:db8::1/128", true)]
    [InlineData("2001:db8::1/128", "2001:db8::2/128", false)]
    public void Contains_covers_longer_prefixes_of_the_same_family_inside_it(string outer, string inner, bool expected)
    {
        Assert.Equal(expected, Prefix.Parse(outer).Contains(Prefix.Parse(inner)));
    }

    [Fact]
    public void Equality_and_hash_are_by_value_after_host_bits_are_cleared()
    {
        var a = Prefix.Parse("10.1.2.3/24");
        var b = Prefix.Parse("10.1.2.0/24");

        Assert.Equal(a, b);
        Assert.True(a == b);
        Assert.False(a != b);
        Assert.True(a.Equals((object)b));
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(Prefix.Parse("10.1.2.0/24"), Prefix.Parse("10.1.2.0/25"));
        Assert.NotEqual(Prefix.Parse("0.0.0.0/0"), Prefix.Parse("::/0"));
        Assert.False(a.Equals("10.1.2.0/24"));

        var set = new HashSet<Prefix> { a, b, Prefix.Parse("10.1.2.0/25") };
        Assert.Equal(2, set.Count);
    }

    [Fact]
    public void Ordering_puts_IPv4_first_then_address_then_length()
    {
        string[] expected =
        [
            "0.0.0.0/0",
            "10.0.0.0/8",
            "10.0.0.0/16",
            "10.1.0.0/16",
            "192.168.0.0/16",
            "::/0",
            "2001:db8::/32",
            "2001:db8::/48",
        ];
        var shuffled = expected.Reverse().Select(Prefix.Parse).ToList();

        shuffled.Sort();

        Assert.Equal(expected, shuffled.Select(p => p.ToString()));
    }

    [Fact]
    public void Comparison_operators_follow_CompareTo()
    {
        var low = Prefix.Parse("10.0.0.0/8");
        var high = Prefix.Parse("10.0.0.0/9");

        Assert.True(low < high);
        Assert.True(low <= high);
        Assert.True(high > low);
        Assert.True(high >= low);
        Assert.True(low <= Prefix.Parse("10.0.0.0/8"));
        Assert.True(low >= Prefix.Parse("10.0.0.0/8"));
        Assert.False(high < low);
        Assert.Equal(0, low.CompareTo(Prefix.Parse("10.0.0.0/8")));
    }

    [Theory]
    [InlineData("10.1.2.0/23", new byte[] { 10, 1, 2 })]
    [InlineData("0.0.0.0/0", new byte[] { })]
    [InlineData("10.0.0.0/8", new byte[] { 10 })]
    [InlineData("10.128.0.0/9", new byte[] { 10, 128 })]
    [InlineData("192.168.128.0/17", new byte[] { 192, 168, 128 })]
    [InlineData("10.1.2.3/32", new byte[] { 10, 1, 2, 3 })]
    [InlineData("2001:db8::/32", new byte[] { 0x20, 0x01, 0x0d, 0xb8 })]
    [InlineData("2001:db8:ab00::/40", new byte[] { 0x20, 0x01, 0x0d, 0xb8, 0xab })]
    [InlineData("::/0", new byte[] { })]
    [InlineData("2001:db8::1/128", new byte[] { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 })]
    public void NLRI_bytes_are_the_octets_the_length_covers(string text, byte[] expected)
    {
        var prefix = Prefix.Parse(text);
        var buffer = new byte[16];

        var count = prefix.WriteNlriBytes(buffer);

        Assert.Equal(expected, buffer[..count]);
        Assert.Equal(prefix, Prefix.FromNlri(expected, prefix.Length, prefix.IsIPv6));
    }

    [Fact]
    public void FromNlri_clears_trailing_bits_beyond_the_length()
    {
        // RFC 4271 §4.3: trailing bits after the prefix are irrelevant.
        Assert.Equal(Prefix.Parse("10.1.2.0/23"), Prefix.FromNlri([10, 1, 3], 23, isIPv6: false));
        Assert.Equal(Prefix.Parse("2001:db8::/31"), Prefix.FromNlri([0x20, 0x01, 0x0d, 0xb9], 31, isIPv6: true));
        Assert.Equal(Prefix.Parse("2001:db8:1:2::/64"), Prefix.FromNlri([0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 2, 0xff], 64, isIPv6: true));
        Assert.Equal(Prefix.Parse("2001:db8:1:2:8000::/65"), Prefix.FromNlri([0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 2, 0xff], 65, isIPv6: true));
        Assert.Equal(Prefix.Parse("2001:db8:1:2::fffe/127"), Prefix.FromNlri([0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 2, 0, 0, 0, 0, 0, 0, 0xff, 0xff], 127, isIPv6: true));
        Assert.Equal(Prefix.Parse("::/0"), Prefix.FromNlri([0xff], 0, isIPv6: true));
    }

    [Fact]
    public void TryFormat_writes_the_text_or_reports_too_small_a_buffer()
    {
        var prefix = Prefix.Parse("192.0.2.0/24");
        Span<char> large = stackalloc char[64];
        Span<char> small = stackalloc char[5];

        Assert.True(prefix.TryFormat(large, out var written, default, null));
        Assert.Equal("192.0.2.0/24", large[..written].ToString());
        Assert.False(prefix.TryFormat(small, out _, default, null));
        Assert.Equal("192.0.2.0/24", prefix.ToString(null, null));
    }
}
