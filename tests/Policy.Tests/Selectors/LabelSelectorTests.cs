using Routing.Policy.Selectors;

namespace Routing.Policy.Tests.Selectors;

public class LabelSelectorTests
{
    private static readonly Dictionary<string, string> Web = new() { ["app"] = "web", ["tier"] = "front" };
    private static readonly Dictionary<string, string> None = [];

    [Fact]
    public void An_empty_selector_selects_everything_even_without_labels()
    {
        Assert.True(LabelSelector.Everything.Matches(Web));
        Assert.True(LabelSelector.Everything.Matches(None));
        Assert.True(new LabelSelector(new Dictionary<string, string>(), []).IsEmpty);
    }

    [Theory]
    [InlineData("app", "web", true)]
    [InlineData("app", "db", false)]
    [InlineData("missing", "web", false)]
    [InlineData("app", "", false)]
    public void MatchLabels_needs_the_key_with_exactly_that_value(string key, string value, bool matches) =>
        Assert.Equal(matches, new LabelSelector(new Dictionary<string, string> { [key] = value }).Matches(Web));

    [Fact]
    public void Every_pair_and_expression_must_hold()
    {
        var selector = new LabelSelector(
            new Dictionary<string, string> { ["app"] = "web" },
            [new LabelSelectorRequirement("tier", SelectorOperators.In, ["back"])]);
        Assert.False(selector.Matches(Web));
        Assert.True(selector.Matches(new Dictionary<string, string> { ["app"] = "web", ["tier"] = "back" }));
    }

    [Theory]
    [InlineData(SelectorOperators.In, new[] { "web", "db" }, true, false)]
    [InlineData(SelectorOperators.In, new[] { "db" }, false, false)]
    [InlineData(SelectorOperators.NotIn, new[] { "db" }, true, true)]
    [InlineData(SelectorOperators.NotIn, new[] { "web" }, false, true)]
    [InlineData(SelectorOperators.Exists, new string[0], true, false)]
    [InlineData(SelectorOperators.DoesNotExist, new string[0], false, true)]
    public void Operators_follow_apimachinery(string op, string[] values, bool onWeb, bool onUnlabelled)
    {
        var requirement = new LabelSelectorRequirement("app", op, values);
        Assert.Equal(onWeb, requirement.Matches(Web));
        Assert.Equal(onUnlabelled, requirement.Matches(None));
    }

    [Fact]
    public void An_unknown_operator_matches_nothing() =>
        Assert.False(new LabelSelectorRequirement("app", "Like", ["web"]).Matches(Web));

    [Fact]
    public void The_canonical_text_does_not_depend_on_the_order_of_writing()
    {
        var a = new LabelSelector(
            new Dictionary<string, string> { ["b"] = "2", ["a"] = "1" },
            [new LabelSelectorRequirement("c", SelectorOperators.In, ["y", "x"]), new LabelSelectorRequirement("d", SelectorOperators.Exists)]);
        var b = new LabelSelector(
            new Dictionary<string, string> { ["a"] = "1", ["b"] = "2" },
            [new LabelSelectorRequirement("d", SelectorOperators.Exists), new LabelSelectorRequirement("c", SelectorOperators.In, ["x", "y"])]);
        Assert.Equal(a.Canonical, b.Canonical);
        Assert.Equal("a=1,b=2,c in (x,y),d", a.Canonical);
        Assert.NotEqual(a.Canonical, new LabelSelector(new Dictionary<string, string> { ["a"] = "1" }).Canonical);
    }
}
