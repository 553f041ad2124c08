using Routing.Policy.Model;
using Routing.Policy.Selectors;
using Routing.Policy.Validation;

namespace Routing.Policy.Tests.Validation;

public class NetworkPolicyValidatorTests
{
    private static NetworkPolicy Ingress(params NetworkPolicyRule[] rules) =>
        new("x", "p", LabelSelector.Everything, rules, []);

    private static PolicyError Single(NetworkPolicy policy) => Assert.Single(NetworkPolicyValidator.Validate(policy));

    [Fact]
    public void A_complete_policy_is_valid()
    {
        var policy = new NetworkPolicy(
            "x",
            "p",
            new LabelSelector(new Dictionary<string, string> { ["pod"] = "a" }),
            [
                new NetworkPolicyRule(
                    [
                        NetworkPolicyPeer.Pods(new LabelSelector(null, [new LabelSelectorRequirement("pod", SelectorOperators.NotIn, ["b"])])),
                        new NetworkPolicyPeer(LabelSelector.Everything, new LabelSelector(new Dictionary<string, string> { ["ns"] = "y" })),
                        NetworkPolicyPeer.Block("10.0.0.0/16", "10.0.1.0/24"),
                    ],
                    [new NetworkPolicyPort(PolicyProtocol.Tcp, 80, 90), new NetworkPolicyPort(PolicyProtocol.Udp, "dns"), new NetworkPolicyPort(PolicyProtocol.Sctp)]),
            ],
            [NetworkPolicyRule.Everything],
            [PolicyDirection.Ingress, PolicyDirection.Egress]);
        Assert.Empty(NetworkPolicyValidator.Validate(policy));
    }

    [Fact]
    public void A_bad_cidr_is_named_by_its_path()
    {
        var error = Single(Ingress(NetworkPolicyRule.Everything, NetworkPolicyRule.From(NetworkPolicyPeer.Pods(LabelSelector.Everything), NetworkPolicyPeer.Block("10.0.0.300/8"))));
        Assert.Equal("spec.ingress[1].from[1].ipBlock.cidr", error.Field);
        Assert.Contains("10.0.0.300/8", error.Reason);
    }

    [Theory]
    [InlineData("10.1.0.0/24", "must be a strict subset")]
    [InlineData("10.0.0.0/16", "must be a strict subset")]
    [InlineData("bogus", "is not a CIDR")]
    public void Exceptions_must_be_strictly_inside_the_block(string except, string reason)
    {
        var error = Single(Ingress(NetworkPolicyRule.From(NetworkPolicyPeer.Block("10.0.0.0/16", except))));
        Assert.Equal("spec.ingress[0].from[0].ipBlock.except[0]", error.Field);
        Assert.Contains(reason, error.Reason);
    }

    [Fact]
    public void An_inverted_port_range_is_rejected()
    {
        var policy = new NetworkPolicy("x", "p", LabelSelector.Everything, [], [NetworkPolicyRule.Everything.OnPorts(new NetworkPolicyPort(PolicyProtocol.Tcp, 90, 80))]);
        var error = Single(policy);
        Assert.Equal("spec.egress[0].ports[0].endPort", error.Field);
        Assert.Contains("inverted", error.Reason);
    }

    [Theory]
    [InlineData(0, null, "port")]
    [InlineData(70000, null, "port")]
    [InlineData(80, 70000, "endPort")]
    public void Ports_are_in_range(int port, int? end, string field) =>
        Assert.Equal($"spec.ingress[0].ports[0].{field}", Single(Ingress(NetworkPolicyRule.Everything.OnPorts(new NetworkPolicyPort(PolicyProtocol.Tcp, port, end)))).Field);

    [Fact]
    public void EndPort_needs_a_numeric_port() =>
        Assert.Contains("numeric", Single(Ingress(NetworkPolicyRule.Everything.OnPorts(new NetworkPolicyPort(PolicyProtocol.Tcp, "http", 90)))).Reason);

    [Theory]
    [InlineData("http")]
    [InlineData("dns-tcp")]
    public void Named_ports_follow_service_name_syntax(string name) =>
        Assert.Empty(NetworkPolicyValidator.Validate(Ingress(NetworkPolicyRule.Everything.OnPorts(new NetworkPolicyPort(PolicyProtocol.Tcp, name)))));

    [Theory]
    [InlineData("HTTP")]
    [InlineData("-http")]
    [InlineData("a--b")]
    [InlineData("1234")]
    [InlineData("a-very-long-port-name")]
    public void Bad_port_names_are_rejected(string name) =>
        Assert.Equal("spec.ingress[0].ports[0].port", Single(Ingress(NetworkPolicyRule.Everything.OnPorts(new NetworkPolicyPort(PolicyProtocol.Tcp, name)))).Field);

    [Fact]
    public void Bad_selectors_name_the_expression()
    {
        var policy = new NetworkPolicy(
            "x",
            "p",
            new LabelSelector(null, [new LabelSelectorRequirement("app", "Like", ["a"]), new LabelSelectorRequirement("app", SelectorOperators.In), new LabelSelectorRequirement("app", SelectorOperators.Exists, ["a"])]),
            [NetworkPolicyRule.From(NetworkPolicyPeer.Namespaces(new LabelSelector(new Dictionary<string, string> { ["bad key!"] = "v" })))],
            []);
        var errors = NetworkPolicyValidator.Validate(policy);
        Assert.Equal(
            ["spec.podSelector.matchExpressions[0].operator", "spec.podSelector.matchExpressions[1].values", "spec.podSelector.matchExpressions[2].values", "spec.ingress[0].from[0].namespaceSelector.matchLabels"],
            errors.Select(e => e.Field));
        Assert.Contains("In, NotIn, Exists or DoesNotExist", errors[0].Reason);
    }

    [Fact]
    public void A_peer_needs_something_and_ip_blocks_stand_alone()
    {
        Assert.Contains("needs podSelector", Single(Ingress(NetworkPolicyRule.From(new NetworkPolicyPeer()))).Reason);
        Assert.Contains("may not be combined", Single(Ingress(NetworkPolicyRule.From(new NetworkPolicyPeer(LabelSelector.Everything, null, new IpBlock("10.0.0.0/8"))))).Reason);
    }
}
