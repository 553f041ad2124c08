using Routing.Policy.Model;
using Routing.Policy.Selectors;
using static Routing.Policy.Tests.GlobalPolicy.GlobalPolicies;
using static Routing.Policy.Tests.Kit.Cluster;

namespace Routing.Policy.Tests.Conformance;

/// <summary>GlobalNetworkPolicy with real packets: ordering against NetworkPolicies, Deny, Pass, nets and notNets.</summary>
public sealed partial class ConformanceTests
{
    private static readonly SelectorExpression InX = SelectorExpression.Parse("kubernetes.io/metadata.name == 'x'");

    private static PolicyModel GlobalModelOf(NetworkPolicy[] policies, params GlobalNetworkPolicy[] globals) => new(Namespaces(), Pods(), policies, globals);

    [SkippableFact]
    public Task A_global_deny_before_order_1000_overrides_a_NetworkPolicy_allow() =>
        CheckAsync(
            GlobalModelOf(
                [IngressTo("x", "allow-all", AllPods, NetworkPolicyRule.Everything)],
                // Without the namespace selector it would also select y/a and z/a, and isolate them: a
                // policy that applies and decides nothing ends in the tier's drop, as in Calico.
                Ingress("deny-y-to-a", 100, "pod == 'a'", Rule(RuleAction.Deny, Namespace("y"))) with { NamespaceSelector = InX }),
            new Reachability(true).Deny("y/*", "x/a"));

    [SkippableFact]
    public Task A_global_pass_skips_the_NetworkPolicies_to_the_profile() =>
        CheckAsync(
            GlobalModelOf(
                [DenyAllIngress("x")],
                Ingress("pass-y", 10, "all()", Rule(RuleAction.Log, Namespace("z")), Rule(RuleAction.Pass, Namespace("y"))) with { NamespaceSelector = InX }),
            new Reachability(true).Deny("*", "x/*").Allow("y/*", "x/*"));

    [SkippableFact]
    public Task Global_egress_to_nets_but_not_nets() =>
        CheckAsync(
            GlobalModelOf(
                [],
                Egress("z-out", 5, "all()", Rule(RuleAction.Allow, destination: Nets(["10.100.0.0/16"], "10.100.2.0/24"))) with
                {
                    NamespaceSelector = SelectorExpression.Parse("kubernetes.io/metadata.name == 'z'"),
                }),
            new Reachability(true).Deny("z/*", "y/*"));

    [SkippableFact]
    public Task Global_ports_protocol_and_a_later_deny() =>
        CheckAsync(
            GlobalModelOf(
                [],
                Ingress(
                    "b-udp-81",
                    1,
                    "pod == 'b'",
                    Rule(RuleAction.Allow, destination: Ports(81), protocol: RuleProtocol.Udp),
                    Rule(RuleAction.Deny, Selector("pod == 'c'")),
                    Rule(RuleAction.Allow))),
            new Reachability(true).Deny("*/c", "*/b").Allow("*/c", "*/b", 81, PolicyProtocol.Udp));
}
