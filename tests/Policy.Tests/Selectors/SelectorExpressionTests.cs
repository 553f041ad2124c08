using Routing.Policy.Selectors;

namespace Routing.Policy.Tests.Selectors;

public sealed class SelectorExpressionTests
{
    private static readonly Dictionary<string, string> Web = new(StringComparer.Ordinal) { ["app"] = "web", ["tier"] = "front-end" };

    [Theory]
    [InlineData("", true)]
    [InlineData("all()", true)]
    [InlineData("app == 'web'", true)]
    [InlineData("app == \"db\"", false)]
    [InlineData("app != 'db'", true)]
    [InlineData("missing != 'x'", true)]
    [InlineData("missing not in {'x'}", true)]
    [InlineData("missing in {'x'}", false)]
    [InlineData("has(tier)", true)]
    [InlineData("!has(tier)", false)]
    [InlineData("app in {'db', 'web'}", true)]
    [InlineData("app not in {'db','web'}", false)]
    [InlineData("tier starts with 'front'", true)]
    [InlineData("tier ends with 'end'", true)]
    [InlineData("tier contains 't-e'", true)]
    [InlineData("app == 'web' && has(legacy)", false)]
    [InlineData("app == 'db' || tier == 'front-end'", true)]
    [InlineData("!(app == 'db' || has(legacy)) && has(app)", true)]
    public void Matches_as_Calico_defines_the_operators(string selector, bool expected) =>
        Assert.Equal(expected, SelectorExpression.Parse(selector).Matches(Web));

    [Fact]
    public void Two_spellings_of_one_selector_have_one_canonical_text()
    {
        var one = SelectorExpression.Parse("app in {\"b\",'a'} && has(x)");
        var other = SelectorExpression.Parse("  app in { 'a' , 'b' }&&has( x )");

        Assert.Equal(one.Canonical, other.Canonical);
        Assert.Equal("(app in {'a', 'b'} && has(x))", one.Canonical);
    }

    [Theory]
    [InlineData("app == web", "expected a quoted value")]
    [InlineData("app = 'web'", "expected an operator")]
    [InlineData("has(app", "expected ')' at the end")]
    [InlineData("app == 'web' &&", "expected a label key")]
    [InlineData("(app == 'a'", "expected ')'")]
    [InlineData("app == 'a' b", "expected '&&', '||' or the end at character 11")]
    [InlineData("app in {'a'", "expected '}'")]
    public void Errors_say_what_was_expected_where(string selector, string reason)
    {
        Assert.False(SelectorExpression.TryParse(selector, out _, out var error));
        Assert.Contains(reason, error, StringComparison.Ordinal);
        Assert.Contains($"\"{selector}\"", error, StringComparison.Ordinal);
    }
}
