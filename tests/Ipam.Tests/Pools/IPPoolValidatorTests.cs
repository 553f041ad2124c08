using Routing.Ipam.Pools;

namespace Routing.Ipam.Tests.Pools;

public class IPPoolValidatorTests
{
    private static IPPool Pool(string cidr, int? blockSize = null, string name = "p") => new() { Name = name, Cidr = cidr, BlockSize = blockSize };

    [Fact]
    public void A_valid_pool_has_no_errors_and_family_default_block_sizes()
    {
        Assert.Empty(IPPoolValidator.Validate(Pool("10.244.0.0/16")));
        Assert.Equal(26, Pool("10.244.0.0/16").ResolveBlockSize());
        Assert.Equal(122, Pool("fd00:10:244::/64").ResolveBlockSize());
        Assert.Empty(IPPoolValidator.Validate(Pool("fd00:10:244::/64")));
    }

    [Theory]
    [InlineData("10.244.0.0", "spec.cidr")]
    [InlineData("10.244.0.1/16", "spec.cidr")]
    [InlineData("not-a-cidr", "spec.cidr")]
    [InlineData("", "spec.cidr")]
    public void Bad_cidrs_name_the_field(string cidr, string field)
    {
        var error = Assert.Single(IPPoolValidator.Validate(Pool(cidr)));
        Assert.Contains(field, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("10.244.0.0/16", 19)]
    [InlineData("10.244.0.0/16", 33)]
    [InlineData("fd00::/64", 115)]
    [InlineData("fd00::/64", 129)]
    public void Block_sizes_out_of_range_are_refused(string cidr, int blockSize)
    {
        var error = Assert.Single(IPPoolValidator.Validate(Pool(cidr, blockSize)));
        Assert.Contains("spec.blockSize", error, StringComparison.Ordinal);
        Assert.Contains("out of range", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_block_larger_than_the_pool_is_refused()
    {
        var error = Assert.Single(IPPoolValidator.Validate(Pool("10.0.0.0/28", 26)));
        Assert.Contains("spec.blockSize 26 is larger than the pool 10.0.0.0/28", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Encapsulation_rules()
    {
        Assert.Contains(
            IPPoolValidator.Validate(Pool("fd00::/64") with { IpipMode = EncapsulationMode.Always }),
            e => e.Contains("spec.ipipMode", StringComparison.Ordinal));
        Assert.Contains(
            IPPoolValidator.Validate(Pool("10.0.0.0/16") with { IpipMode = EncapsulationMode.CrossSubnet, VxlanMode = EncapsulationMode.Always }),
            e => e.Contains("spec.ipipMode and spec.vxlanMode", StringComparison.Ordinal));
        Assert.Empty(IPPoolValidator.Validate(Pool("fd00::/64") with { VxlanMode = EncapsulationMode.CrossSubnet }));
    }

    [Fact]
    public void Overlapping_pools_are_refused()
    {
        var errors = IPPoolValidator.ValidateAll([Pool("10.0.0.0/16", name: "a"), Pool("10.0.128.0/20", name: "b"), Pool("10.1.0.0/16", name: "c")]);
        var error = Assert.Single(errors);
        Assert.Contains("IPPool b: spec.cidr 10.0.128.0/20 overlaps IPPool a (10.0.0.0/16)", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Pools_of_both_families_do_not_overlap() =>
        Assert.Empty(IPPoolValidator.ValidateAll([Pool("0.0.0.0/0", 20, name: "all4"), Pool("::/0", 116, name: "all6")]));

    [Fact]
    public void Pools_are_records_with_value_equality() =>
        Assert.Equal(Pool("10.0.0.0/16") with { NatOutgoing = true }, Pool("10.0.0.0/16") with { NatOutgoing = true });
}
