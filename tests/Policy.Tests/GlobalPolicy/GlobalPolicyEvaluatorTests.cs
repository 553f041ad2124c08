using Routing.Policy.Evaluation;
using Routing.Policy.Model;
using Routing.Policy.Selectors;
using static Routing.Policy.Tests.GlobalPolicy.GlobalPolicies;
using static Routing.Policy.Tests.Kit.Cluster;

namespace Routing.Policy.Tests.GlobalPolicy;

public sealed class GlobalPolicyEvaluatorTests
{
    private static Verdict Check(PolicyModel model, string from, string to, int port = 80, PolicyProtocol protocol = PolicyProtocol.Tcp)
    {
        var source = model.Endpoint(from.Split('/')[0], from.Split('/')[1])!;
        var destination = model.Endpoint(to.Split('/')[0], to.Split('/')[1])!;
        return new PolicyEvaluator(model).Evaluate(new Connection(TrafficPeer.Of(source), TrafficPeer.Of(destination), port, protocol));
    }

    private static PolicyModel With(NetworkPolicy[] policies, params GlobalNetworkPolicy[] globals) => new(Namespaces(), Pods(), policies, globals);

    [Fact]
    public void A_deny_before_order_1000_overrides_a_NetworkPolicy_allow()
    {
        var allow = IngressTo("x", "allow-all", LabelSelector.Everything, NetworkPolicyRule.Everything);
        var deny = Ingress("deny-y", 100, "pod == 'a'", Rule(RuleAction.Deny, Namespace("y")));
        var model = With([allow], deny);

        var denied = Check(model, "y/b", "x/a");
        Assert.False(denied.Allowed);
        Assert.Equal(DirectionOutcome.DeniedByRule, denied.Ingress.Outcome);
        Assert.Equal("ingress: denied by GlobalNetworkPolicy/deny-y ingress rule 0 (Deny)", denied.Ingress.Reason);

        var allowed = Check(model, "z/b", "x/a");
        Assert.True(allowed.Allowed);
        Assert.Equal("x/allow-all", allowed.Ingress.PolicyKey);
    }

    [Fact]
    public void After_order_1000_the_NetworkPolicy_decides_first()
    {
        var allow = IngressTo("x", "allow-all", LabelSelector.Everything, NetworkPolicyRule.Everything);
        var late = Ingress("deny-late", 2000, "all()", Rule(RuleAction.Deny));
        var unordered = Ingress("deny-unordered", null, "all()", Rule(RuleAction.Deny));

        Assert.True(Check(With([allow], late, unordered), "y/b", "x/a").Allowed);
        Assert.False(Check(With([allow], late, unordered), "y/b", "z/a").Allowed);
        Assert.Equal("GlobalNetworkPolicy/deny-late", Check(With([allow], late, unordered), "y/b", "z/a").Ingress.PolicyKey);
    }

    [Fact]
    public void Pass_skips_the_NetworkPolicies_and_the_profile_allows()
    {
        var pass = Ingress("pass-y", 10, "all()", Rule(RuleAction.Pass, Namespace("y")));
        var model = With([DenyAllIngress("x")], pass);

        var passed = Check(model, "y/c", "x/a");
        Assert.True(passed.Allowed);
        Assert.Equal(DirectionOutcome.Passed, passed.Ingress.Outcome);
        Assert.Contains("passed by GlobalNetworkPolicy/pass-y ingress rule 0 to the profile", passed.Ingress.Reason, StringComparison.Ordinal);

        var denied = Check(model, "z/c", "x/a");
        Assert.Equal(DirectionOutcome.Denied, denied.Ingress.Outcome);
        Assert.Equal(["GlobalNetworkPolicy/pass-y", "x/deny-all-ingress"], denied.Ingress.Isolating!.Select(p => p.Key));
    }

    [Fact]
    public void A_policy_that_applies_and_matches_nothing_isolates_the_pod()
    {
        var log = Ingress("log", 1, "pod == 'a'", Rule(RuleAction.Log));

        Assert.False(Check(With([], log), "y/b", "x/a").Allowed);
        Assert.True(Check(With([], log), "y/b", "x/b").Allowed);
    }

    [Fact]
    public void Rules_go_in_order_and_log_goes_on()
    {
        var policy = Ingress("ordered", 1, "all()", Rule(RuleAction.Log), Rule(RuleAction.Allow, Selector("pod == 'b'")), Rule(RuleAction.Deny));

        var verdict = Check(With([], policy), "y/b", "x/a");
        Assert.Equal((DirectionOutcome.Allowed, 1), (verdict.Ingress.Outcome, verdict.Ingress.Rule!.Value));
        Assert.Equal(2, Check(With([], policy), "y/c", "x/a").Ingress.Rule);
    }

    [Fact]
    public void Nets_and_not_nets_egress()
    {
        var policy = Egress("z-out", 5, "all()", Rule(RuleAction.Allow, destination: Nets(["10.100.0.0/16"], "10.100.2.0/24")));
        var model = With([], policy with { NamespaceSelector = SelectorExpression.Parse("kubernetes.io/metadata.name == 'z'") });

        Assert.True(Check(model, "z/a", "x/a").Allowed);
        Assert.False(Check(model, "z/a", "y/a").Allowed);
        Assert.True(Check(model, "z/a", "z/b").Allowed);
        Assert.True(Check(model, "y/a", "y/b").Allowed);
    }

    [Fact]
    public void Protocol_ports_and_not_ports()
    {
        var policy = Ingress(
            "ports",
            1,
            "all()",
            Rule(RuleAction.Allow, destination: EntityRule.Any with { Ports = [RulePort.Range(80, 90)], NotPorts = [85] }, protocol: RuleProtocol.Tcp));
        var model = With([], policy);

        Assert.True(Check(model, "x/a", "y/a", 80).Allowed);
        Assert.False(Check(model, "x/a", "y/a", 85).Allowed);
        Assert.False(Check(model, "x/a", "y/a", 80, PolicyProtocol.Udp).Allowed);
        Assert.False(Check(model, "x/a", "y/a", 91).Allowed);
    }

    [Fact]
    public void Named_ports_resolve_on_the_destination()
    {
        var policy = Ingress("named", 1, "all()", Rule(RuleAction.Allow, destination: Ports(RulePort.Named("serve-81-udp")), protocol: RuleProtocol.Udp));

        Assert.True(Check(With([], policy), "x/a", "y/a", 81, PolicyProtocol.Udp).Allowed);
        Assert.False(Check(With([], policy), "x/a", "y/a", 80, PolicyProtocol.Udp).Allowed);
    }

    [Fact]
    public void Types_default_from_the_rules()
    {
        var egressOnly = new GlobalNetworkPolicy("e", 1, SelectorExpression.All, null, [], [Rule(RuleAction.Allow)]);
        var neither = new GlobalNetworkPolicy("n", 1, SelectorExpression.All, null, [], []);
        var both = new GlobalNetworkPolicy("b", 1, SelectorExpression.All, null, [Rule(RuleAction.Allow)], [Rule(RuleAction.Allow)]);

        Assert.Equal([PolicyDirection.Egress], egressOnly.Directions);
        Assert.Equal([PolicyDirection.Ingress], neither.Directions);
        Assert.Equal([PolicyDirection.Ingress, PolicyDirection.Egress], both.Directions);
    }
}
