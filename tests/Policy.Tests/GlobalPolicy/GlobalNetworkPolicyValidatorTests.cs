using Routing.Policy.Model;
using Routing.Policy.Selectors;
using Routing.Policy.Validation;
using static Routing.Policy.Tests.GlobalPolicy.GlobalPolicies;

namespace Routing.Policy.Tests.GlobalPolicy;

public sealed class GlobalNetworkPolicyValidatorTests
{
    private static string[] Fields(GlobalNetworkPolicy policy) =>
        GlobalNetworkPolicyValidator.Validate(policy).Select(e => e.Field).ToArray();

    [Fact]
    public void A_good_policy_has_no_errors() =>
        Assert.Empty(Fields(Ingress("good", 10, "all()", Rule(RuleAction.Allow, Nets(["10.0.0.0/8"]), Ports(80, RulePort.Range(90, 99), RulePort.Named("http")), RuleProtocol.Tcp))));

    [Fact]
    public void Each_error_names_its_field()
    {
        var rules = new[]
        {
            Rule(RuleAction.Allow, Nets(["10.0.0.300/8"], "nope"), Ports(RulePort.Range(90, 80)), RuleProtocol.Tcp),
            Rule(RuleAction.Deny, destination: Ports(80)),
            Rule(RuleAction.Pass, destination: Ports(70000), protocol: RuleProtocol.Udp),
        };
        var policy = Ingress("Bad_Name", double.NaN, "all()", rules) with { DoNotTrack = true, PreDnat = true, ApplyOnForward = true };

        Assert.Equal(
            [
                "metadata.name", "spec.order", "spec.doNotTrack", "spec.preDNAT", "spec.applyOnForward",
                "spec.ingress[0].source.nets[0]", "spec.ingress[0].source.notNets[0]", "spec.ingress[0].destination.ports[0]",
                "spec.ingress[1].protocol",
                "spec.ingress[2].destination.ports[0]",
            ],
            Fields(policy));
    }

    [Fact]
    public void The_inverted_range_says_how_to_write_it()
    {
        var error = Assert.Single(GlobalNetworkPolicyValidator.Validate(Ingress("r", 1, "all()", Rule(RuleAction.Allow, destination: Ports(RulePort.Range(90, 80)), protocol: RuleProtocol.Udp))));
        Assert.Equal("spec.ingress[0].destination.ports[0]: the range 90:80 is inverted: write FIRST:LAST with FIRST ≤ LAST", error.ToString());
    }

    [Fact]
    public void Icmp_rules_need_no_ports() =>
        Assert.Empty(Fields(new GlobalNetworkPolicy("icmp", 1, SelectorExpression.All, null, [Rule(RuleAction.Allow, protocol: new RuleProtocol(1))], [])));
}
