using Routing.Ipam.Addresses;
using static Routing.Ipam.Tests.IpamTestBed;

namespace Routing.Ipam.Tests.Addresses;

public class BlockCidrTests
{
    [Theory]
    [InlineData("10.244.1.77", 26, "10.244.1.64/26")]
    [InlineData("10.244.1.77", 32, "10.244.1.77/32")]
    [InlineData("10.244.1.77", 20, "10.244.0.0/20")]
    [InlineData("fd00:10:244::1:2c5", 122, "fd00:10:244::1:2c0/122")]
    [InlineData("fd00::ffff", 116, "fd00::f000/116")]
    public void BlockOf_masks_the_host_bits(string address, int blockSize, string block) =>
        Assert.Equal(Net(block), BlockCidr.BlockOf(Ip(address), blockSize));

    [Theory]
    [InlineData("10.0.0.0/26", 0, "10.0.0.0")]
    [InlineData("10.0.0.64/26", 63, "10.0.0.127")]
    [InlineData("fd00::40/122", 5, "fd00::45")]
    public void AddressAt_and_Ordinal_are_inverse(string block, int ordinal, string address)
    {
        Assert.Equal(Ip(address), BlockCidr.AddressAt(Net(block), ordinal));
        Assert.Equal(ordinal, BlockCidr.Ordinal(Net(block), Ip(address)));
    }

    [Fact]
    public void Blocks_of_a_pool_are_counted_and_enumerated()
    {
        var pool = Net("10.244.0.0/16");
        Assert.Equal((UInt128)1024, BlockCidr.BlockCount(pool, 26));
        Assert.Equal(Net("10.244.0.64/26"), BlockCidr.BlockAt(pool, 26, 1));
        Assert.Equal(Net("10.244.255.192/26"), BlockCidr.BlockAt(pool, 26, 1023));
        Assert.Equal(UInt128.One << 58, BlockCidr.BlockCount(Net("fd00::/64"), 122));
        Assert.Equal(Net("fd00::1:0/122"), BlockCidr.BlockAt(Net("fd00::/64"), 122, 1024));
    }

    [Theory]
    [InlineData("10.0.0.0/26", "10-0-0-0-26")]
    [InlineData("fd00::40/122", "fd00--40-122")]
    public void Names_are_store_keys(string block, string name) => Assert.Equal(name, BlockCidr.NameOf(Net(block)));

    [Theory]
    [InlineData("10.0.0.0/24", true)]
    [InlineData("10.0.0.7", true)]
    [InlineData("fd00::/64", true)]
    [InlineData("10.0.0.1/24", false)]
    [InlineData("10.0.0.0/33", false)]
    [InlineData("10.0.0.0/-1", false)]
    [InlineData("bogus", false)]
    [InlineData("", false)]
    public void TryParse_accepts_networks_and_addresses_without_host_bits(string text, bool valid) =>
        Assert.Equal(valid, BlockCidr.TryParse(text, out _));

    [Fact]
    public void Overlap_is_per_family()
    {
        Assert.True(BlockCidr.Overlap(Net("10.0.0.0/16"), Net("10.0.128.0/24")));
        Assert.False(BlockCidr.Overlap(Net("10.0.0.0/24"), Net("10.0.1.0/24")));
        Assert.False(BlockCidr.Overlap(Net("10.0.0.0/8"), Net("::/0")));
    }
}
