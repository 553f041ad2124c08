using Routing.Agent.Resources;

namespace Routing.Agent.Tests.Resources;

/// <summary>Calico-style node selectors, evaluated against a node's labels.</summary>
public sealed class NodeSelectorTests
{
    private static readonly Labels Rack1 = Labels.Create(("rack", "r1"), ("zone", "a"));
    private static readonly Labels Rack2Edge = Labels.Create(("rack", "r2"), ("edge", ""), ("zone", "a"));
    private static readonly Labels None = Labels.Empty;

    [Theory]
    [InlineData("all()", true, true, true)]
    [InlineData("", true, true, true)]
    [InlineData("   ", true, true, true)]
    [InlineData("rack == 'r1'", true, false, false)]
    [InlineData("rack == \"r1\"", true, false, false)]
    [InlineData("rack != 'r1'", false, true, true)] // != also matches nodes without the label, as in Calico
    [InlineData("has(edge)", false, true, false)]
    [InlineData("!has(edge)", true, false, true)]
    [InlineData("has(rack) && zone == 'a'", true, true, false)]
    [InlineData("has(rack) && !has(edge) && zone == 'a'", true, false, false)]
    [InlineData("rack == 'r1' || has(edge)", true, true, false)]
    [InlineData("!(rack == 'r1' || has(edge))", false, false, true)]
    [InlineData("(rack == 'r2' || rack == 'r1') && zone != 'b'", true, true, false)]
    [InlineData("zone=='a'&&rack!='r2'", true, false, false)]
    public void Selectors_match_the_nodes_whose_labels_they_describe(string selector, bool rack1, bool rack2Edge, bool none)
    {
        var parsed = NodeSelector.Parse(selector);

        Assert.Equal(rack1, parsed.Matches(Rack1));
        Assert.Equal(rack2Edge, parsed.Matches(Rack2Edge));
        Assert.Equal(none, parsed.Matches(None));
        Assert.Equal(selector, parsed.Text);
    }

    [Fact]
    public void Keys_may_carry_a_prefix()
    {
        var selector = NodeSelector.Parse("routing.dev/route-reflector == 'true' && has(kubernetes.io/hostname)");

        Assert.True(selector.Matches(Labels.Create(("routing.dev/route-reflector", "true"), ("kubernetes.io/hostname", "n1"))));
        Assert.False(selector.Matches(Labels.Create(("routing.dev/route-reflector", "true"))));
    }

    [Fact]
    public void And_binds_tighter_than_or()
    {
        var selector = NodeSelector.Parse("has(a) || has(b) && has(c)");

        Assert.True(selector.Matches(Labels.Create(("a", ""))));
        Assert.False(selector.Matches(Labels.Create(("b", ""))));
        Assert.Equal("has(a) || has(b) && has(c)", selector.ToString());
    }

    [Fact]
    public void Selectors_that_say_the_same_thing_are_equal()
    {
        Assert.Equal(NodeSelector.Parse("rack=='r1'&&!has( edge )"), NodeSelector.Parse("rack == \"r1\" && !has(edge)"));
        Assert.Equal(NodeSelector.Parse("rack=='r1'").GetHashCode(), NodeSelector.Parse("rack == 'r1'").GetHashCode());
        Assert.Equal(NodeSelector.All, NodeSelector.Parse(""));
        Assert.NotEqual(NodeSelector.Parse("rack == 'r1'"), NodeSelector.Parse("rack != 'r1'"));
        Assert.Equal("rack == 'r1' && !has(edge)", NodeSelector.Parse("rack==\"r1\"&&!has(edge)").ToString());
        Assert.Equal("(has(a) || has(b)) && !(has(c) && has(d))", NodeSelector.Parse("(has(a)||has(b))&&!(has(c)&&has(d))").ToString());
        Assert.Equal("name == \"o'brien\"", NodeSelector.Parse("name == \"o'brien\"").ToString());
    }

    [Theory]
    [InlineData("rack", "expected '==' or '!=' after label key 'rack' (at column 5 of \"rack\")")]
    [InlineData("rack = 'r1'", "use '==' to compare, as in rack == 'value' (at column 6 of \"rack = 'r1'\")")]
    [InlineData("rack == r1", "label values must be quoted, as in rack == 'value' (at column 9 of \"rack == r1\")")]
    [InlineData("rack == 'r1", "unterminated string; close it with ' (at column 9 of \"rack == 'r1\")")]
    [InlineData("has(rack", "expected ')' to close 'has(' (at column 9 of \"has(rack\")")]
    [InlineData("has()", "expected a label key inside has() (at column 5 of \"has()\")")]
    [InlineData("all(x)", "expected ')' after 'all(' (at column 5 of \"all(x)\")")]
    [InlineData("(has(a)", "expected ')' to close '(' (at column 8 of \"(has(a)\")")]
    [InlineData("has(a) has(b)", "unexpected 'h'; expected '&&', '||' or the end of the selector (at column 8 of \"has(a) has(b)\")")]
    [InlineData("has(a) &&", "unexpected end; expected a label key, has(key), all(), '!' or '(' (at column 10 of \"has(a) &&\")")]
    [InlineData("&& has(a)", "unexpected '&'; expected a label key, has(key), all(), '!' or '(' (at column 1 of \"&& has(a)\")")]
    [InlineData("global()", "'global()' is not supported by this build; use all(), has(key), ==, !=, !, && and || (at column 1 of \"global()\")")]
    [InlineData("rack not in {'a'}", "'not' is not supported by this build; write rack == 'a' || rack == 'b' instead of sets, or use has(rack) (at column 6 of \"rack not in {'a'}\")")]
    [InlineData("name contains 'x'", "'contains' is not supported by this build; write name == 'a' || name == 'b' instead of sets, or use has(name) (at column 6 of \"name contains 'x'\")")]
    public void Syntax_errors_say_what_was_expected_and_where(string selector, string expected)
    {
        Assert.False(NodeSelector.TryParse(selector, out var parsed, out var error));
        Assert.Null(parsed);
        Assert.Equal(expected, error);
        Assert.Equal(expected, Assert.Throws<FormatException>(() => NodeSelector.Parse(selector)).Message);
    }
}
