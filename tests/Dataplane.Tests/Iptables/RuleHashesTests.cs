using Routing.Dataplane.Iptables;

namespace Routing.Dataplane.Tests.Iptables;

public class RuleHashesTests
{
    private static readonly IptablesRule Accept = new("-j ACCEPT");
    private static readonly IptablesRule Drop = new("-j DROP");

    [Fact]
    public void Hashes_are_16_url_safe_characters_and_deterministic()
    {
        var first = RuleHashes.Compute("rt-a", [Accept, Drop]);
        var again = RuleHashes.Compute("rt-a", [Accept, Drop]);

        Assert.Equal(first, again);
        Assert.All(first, h => Assert.True(RuleHashes.IsHash(h), h));
        Assert.NotEqual(first[0], first[1]);
    }

    [Fact]
    public void A_rule_hash_depends_on_the_chain_and_on_every_rule_before_it()
    {
        var a = RuleHashes.Compute("rt-a", [Accept, Drop]);

        Assert.NotEqual(a[0], RuleHashes.Compute("rt-b", [Accept])[0]);
        Assert.NotEqual(a[1], RuleHashes.Compute("rt-a", [Drop, Drop])[1]);
        Assert.Equal(a[0], RuleHashes.Compute("rt-a", [Accept])[0]);
    }

    [Fact]
    public void The_comment_is_part_of_the_rule() =>
        Assert.NotEqual(RuleHashes.Compute("rt-a", [Accept]), RuleHashes.Compute("rt-a", [new IptablesRule("-j ACCEPT", "policy web")]));

    [Theory]
    [InlineData("abcdefghijklmnop", true)]
    [InlineData("AZaz09-_AZaz09-_", true)]
    [InlineData("abcdefghijklmno", false)]
    [InlineData("abcdefghijklmno=", false)]
    [InlineData("abcdefghijklmnopq", false)]
    public void Hash_shape_is_recognised(string text, bool isHash) => Assert.Equal(isHash, RuleHashes.IsHash(text));
}
