using Routing.Bgp.Wire;

namespace Routing.Bgp.Tests.Wire;

public class NlriTests
{
    [Fact]
    public void Reads_a_list_of_prefixes_each_with_its_length_in_bits()
    {
        byte[] field = [23, 10, 1, 2, 8, 10, 0, 32, 192, 0, 2, 1];
        Assert.True(NlriCodec.TryRead(field, isIPv6: false, addPath: false, out var into, out var problem));

        Assert.Null(problem);
        Assert.Equal(
            [new(Prefix.Parse("10.1.2.0/23")), new(Prefix.Parse("10.0.0.0/8")), new(Prefix.Parse("0.0.0.0/0")), new Nlri(Prefix.Parse("192.0.2.1/32"))],
            into);
    }

    [Fact]
    public void Reads_ADD_PATH_entries_with_a_path_identifier_in_front()
    {
        // RFC 7911 §3: Path Identifier (4 octets), Length (1), Prefix (variable).
        byte[] field = [0, 0, 0, 1, 24, 192, 0, 2, 0, 0, 1, 0, 24, 192, 0, 2];
        Assert.True(NlriCodec.TryRead(field, isIPv6: false, addPath: true, out var into, out _));

        Assert.Equal([new(Prefix.Parse("192.0.2.0/24"), 1), new Nlri(Prefix.Parse("192.0.2.0/24"), 256)], into);
    }

    [Fact]
    public void Reads_IPv6_prefixes_up_to_128_bits()
    {
        byte[] field = [32, 0x20, 0x01, 0x0d, 0xb8, 128, .. Enumerable.Repeat((byte)0xFF, 16)];
        Assert.True(NlriCodec.TryRead(field, isIPv6: true, addPath: false, out var into, out _));

        Assert.Equal([new(Prefix.Parse("2001:db8::/32")), new Nlri(Prefix.Parse("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128"))], into);
    }

    [Theory]
    [InlineData(false, false, new byte[] { 33, 10, 0, 0, 0, 0 })]
    [InlineData(true, false, new byte[] { 129, 0x20, 1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 })]
    [InlineData(false, false, new byte[] { 24, 10, 1 })]
    [InlineData(false, false, new byte[] { 8 })]
    [InlineData(false, true, new byte[] { 0, 0, 1 })]
    [InlineData(false, true, new byte[] { 0, 0, 0, 1 })]
    [InlineData(false, true, new byte[] { 0, 0, 0, 1, 16, 10 })]
    [InlineData(false, true, new byte[] { 0, 0, 0, 1, 8, 10, 0, 0 })]
    public void Rejects_entries_too_long_for_the_family_or_truncated(bool isIPv6, bool addPath, byte[] field)
    {
        Assert.False(NlriCodec.TryRead(field, isIPv6, addPath, out _, out var problem));
        Assert.False(string.IsNullOrEmpty(problem));
    }

    [Theory]
    [InlineData("10.1.2.0/23", 0u, false, new byte[] { 23, 10, 1, 2 })]
    [InlineData("0.0.0.0/0", 0u, false, new byte[] { 0 })]
    [InlineData("10.1.2.0/23", 7u, true, new byte[] { 0, 0, 0, 7, 23, 10, 1, 2 })]
    [InlineData("2001:db8::/32", 0u, false, new byte[] { 32, 0x20, 0x01, 0x0d, 0xb8 })]
    public void Writes_the_length_then_the_covering_bytes(string prefix, uint pathId, bool addPath, byte[] expected)
    {
        var nlri = new Nlri(Prefix.Parse(prefix), pathId);
        var buffer = new byte[32];

        var written = NlriCodec.Write(buffer, nlri, addPath);

        Assert.Equal(expected.Length, written);
        Assert.Equal(expected.Length, NlriCodec.Size(nlri, addPath));
        Assert.Equal(expected, buffer[..written]);
    }

    [Fact]
    public void ToString_shows_the_path_id_only_when_there_is_one()
    {
        Assert.Equal("10.0.0.0/8", new Nlri(Prefix.Parse("10.0.0.0/8")).ToString());
        Assert.Equal("10.0.0.0/8 path-id 3", new Nlri(Prefix.Parse("10.0.0.0/8"), 3).ToString());
    }
}
