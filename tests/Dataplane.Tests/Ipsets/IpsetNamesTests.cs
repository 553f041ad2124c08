using Routing.Dataplane.Ipsets;

namespace Routing.Dataplane.Tests.Ipsets;

public class IpsetNamesTests
{
    [Fact]
    public void A_short_plain_name_is_used_as_it_is() =>
        Assert.Equal("rt-pods", IpsetNames.For("rt-", "pods"));

    [Theory]
    [InlineData("policy-default-allow-frontend-to-backend-src")]
    [InlineData("ns/pod:selector")]
    public void A_long_or_unusual_name_becomes_a_hash_that_fits(string name)
    {
        var kernel = IpsetNames.For("rt-", name);

        Assert.Equal(IpsetNames.MaxLength, kernel.Length);
        Assert.StartsWith("rt-h:", kernel, StringComparison.Ordinal);
        Assert.Equal(kernel, IpsetNames.For("rt-", name));
        Assert.NotEqual(kernel, IpsetNames.For("rt-", name + "x"));
    }

    [Fact]
    public void Temporary_names_fit_and_differ_from_every_other_kind()
    {
        var temporary = IpsetNames.TemporaryFor("rt-", "rt-pods");

        Assert.True(temporary.Length <= IpsetNames.MaxLength);
        Assert.True(IpsetNames.IsTemporary("rt-", temporary));
        Assert.False(IpsetNames.IsTemporary("rt-", IpsetNames.For("rt-", "pods")));
        Assert.False(IpsetNames.IsTemporary("rt-", IpsetNames.For("rt-", new string('x', 40))));
    }

    [Fact]
    public void A_prefix_that_leaves_no_room_for_a_hash_is_refused() =>
        Assert.Throws<ArgumentException>(() => IpsetNames.For(new string('p', 24), new string('x', 40)));
}
