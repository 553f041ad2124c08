using Routing.Policy.Selectors;

namespace Routing.Policy.Tests.Selectors;

public class LabelSyntaxTests
{
    [Theory]
    [InlineData("app")]
    [InlineData("kubernetes.io/metadata.name")]
    [InlineData("a_b.c-d")]
    public void Valid_keys(string key) => Assert.Null(LabelSyntax.KeyError(key));

    [Theory]
    [InlineData("")]
    [InlineData("-app")]
    [InlineData("app!")]
    [InlineData("Example.COM/app")]
    [InlineData("/app")]
    [InlineData("a/")]
    public void Invalid_keys_say_why(string key) => Assert.Contains(key, LabelSyntax.KeyError(key));

    [Theory]
    [InlineData("", true)]
    [InlineData("web-1", true)]
    [InlineData("web 1", false)]
    [InlineData("web-", false)]
    public void Values(string value, bool valid) => Assert.Equal(valid, LabelSyntax.ValueError(value) is null);

    [Fact]
    public void Names_are_at_most_63_characters()
    {
        Assert.Null(LabelSyntax.ValueError(new string('a', 63)));
        Assert.NotNull(LabelSyntax.ValueError(new string('a', 64)));
        Assert.NotNull(LabelSyntax.KeyError(new string('a', 64)));
    }
}
