using Routing.Dataplane.Iptables;

namespace Routing.Dataplane.Tests.Iptables;

public class IptablesRuleTests
{
    [Theory]
    [InlineData("-j ACCEPT\n-A INPUT -j DROP")]
    [InlineData("-j ACCEPT\r")]
    [InlineData("   ")]
    public void A_rule_is_one_non_empty_line(string spec) =>
        Assert.Throws<ArgumentException>(() => new IptablesRule(spec));

    [Fact]
    public void Quotes_and_backslashes_leave_comments()
    {
        var rule = new IptablesRule("-j ACCEPT", "allow \"web\" \\ here");

        Assert.Equal("allow web  here", rule.Comment);
        Assert.Equal("-m comment --comment \"allow web  here\" -j ACCEPT", rule.Body);
    }

    [Fact]
    public void Chain_names_longer_than_iptables_allows_are_refused() =>
        Assert.Throws<ArgumentException>(() => new IptablesChain(new string('c', 29)));
}
