using System.Net;
using Routing.Policy.Evaluation;
using Routing.Policy.Model;
using Routing.Policy.Selectors;
using static Routing.Policy.Tests.Kit.Cluster;

namespace Routing.Policy.Tests.Evaluation;

/// <summary>The semantics of https://kubernetes.io/docs/concepts/services-networking/network-policies/, case by case.</summary>
public class PolicyEvaluatorTests
{
    private static Verdict Check(PolicyModel model, string from, string to, int port = 80, PolicyProtocol protocol = PolicyProtocol.Tcp) =>
        new PolicyEvaluator(model).Evaluate(new Connection(Peer(model, from), Peer(model, to), port, protocol));

    private static TrafficPeer Peer(PolicyModel model, string text) =>
        text.Contains('/', StringComparison.Ordinal)
            ? TrafficPeer.Of(model.Endpoint(text.Split('/')[0], text.Split('/')[1])!)
            : TrafficPeer.Of(IPAddress.Parse(text));

    private static bool Allowed(PolicyModel model, string from, string to, int port = 80, PolicyProtocol protocol = PolicyProtocol.Tcp) =>
        Check(model, from, to, port, protocol).Allowed;

    [Fact]
    public void Without_policies_pods_are_not_isolated_and_everything_is_allowed()
    {
        var verdict = Check(ModelOf(), "x/a", "y/b");
        Assert.True(verdict.Allowed);
        Assert.Equal(DirectionOutcome.NotIsolated, verdict.Egress.Outcome);
        Assert.Equal(DirectionOutcome.NotIsolated, verdict.Ingress.Outcome);
        Assert.Equal("egress: no policy isolates the pod; ingress: no policy isolates the pod", verdict.Reason);
    }

    [Fact]
    public void Default_deny_ingress_isolates_every_pod_of_its_namespace_only()
    {
        var model = ModelOf(DenyAllIngress("x"));
        var verdict = Check(model, "y/a", "x/b");
        Assert.False(verdict.Allowed);
        Assert.Equal(DirectionOutcome.Denied, verdict.Ingress.Outcome);
        Assert.Equal("ingress: denied, isolated by x/deny-all-ingress and no rule matches", verdict.Reason);
        Assert.False(Allowed(model, "x/a", "x/b"));
        Assert.True(Allowed(model, "x/a", "y/b"));
        Assert.True(Allowed(model, "y/a", "z/b"));
    }

    [Fact]
    public void Default_deny_egress_stops_connections_the_pods_open()
    {
        var model = ModelOf(DenyAllEgress("x"));
        var verdict = Check(model, "x/a", "y/b");
        Assert.False(verdict.Allowed);
        Assert.Equal(DirectionOutcome.Denied, verdict.Egress.Outcome);
        Assert.True(Allowed(model, "y/b", "x/a"));
        Assert.False(Allowed(model, "x/a", "192.0.2.1"));
    }

    [Fact]
    public void Policies_are_a_union_an_allow_all_beside_a_deny_all_allows()
    {
        var allowAll = IngressTo("x", "allow-all", LabelSelector.Everything, NetworkPolicyRule.Everything);
        var verdict = Check(ModelOf(DenyAllIngress("x"), allowAll), "y/a", "x/a");
        Assert.True(verdict.Allowed);
        Assert.Equal("x/allow-all", verdict.Ingress.Policy!.Key);
        Assert.Equal(0, verdict.Ingress.Rule);
    }

    [Fact]
    public void A_pod_selector_peer_means_pods_of_the_policy_namespace()
    {
        var model = ModelOf(IngressTo("x", "from-b", SelectPod("a"), NetworkPolicyRule.From(NetworkPolicyPeer.Pods(SelectPod("b")))));
        Assert.True(Allowed(model, "x/b", "x/a"));
        Assert.False(Allowed(model, "y/b", "x/a"));
        Assert.False(Allowed(model, "x/c", "x/a"));
        Assert.True(Allowed(model, "y/c", "x/b"), "x/b is not selected, so not isolated");
    }

    [Fact]
    public void A_namespace_selector_peer_means_every_pod_of_the_selected_namespaces()
    {
        var model = ModelOf(IngressTo("x", "from-y", SelectPod("a"), NetworkPolicyRule.From(NetworkPolicyPeer.Namespaces(SelectNamespace("y")))));
        Assert.True(Allowed(model, "y/a", "x/a"));
        Assert.True(Allowed(model, "y/c", "x/a"));
        Assert.False(Allowed(model, "x/b", "x/a"));
        Assert.False(Allowed(model, "z/b", "x/a"));
    }

    [Fact]
    public void Both_selectors_in_one_peer_are_anded_in_two_peers_ored()
    {
        var and = ModelOf(IngressTo("x", "and", SelectPod("a"), NetworkPolicyRule.From(new NetworkPolicyPeer(SelectPod("b"), SelectNamespace("y")))));
        Assert.True(Allowed(and, "y/b", "x/a"));
        Assert.False(Allowed(and, "y/c", "x/a"));
        Assert.False(Allowed(and, "x/b", "x/a"));

        var or = ModelOf(IngressTo("x", "or", SelectPod("a"), NetworkPolicyRule.From(NetworkPolicyPeer.Pods(SelectPod("b")), NetworkPolicyPeer.Namespaces(SelectNamespace("y")))));
        Assert.True(Allowed(or, "y/c", "x/a"));
        Assert.True(Allowed(or, "x/b", "x/a"));
        Assert.False(Allowed(or, "z/b", "x/a"));
    }

    [Fact]
    public void An_empty_namespace_selector_means_all_namespaces_an_empty_pod_selector_all_pods()
    {
        var everyNamespace = ModelOf(IngressTo("x", "all-ns", SelectPod("a"), NetworkPolicyRule.From(new NetworkPolicyPeer(SelectPod("b"), LabelSelector.Everything))));
        Assert.True(Allowed(everyNamespace, "z/b", "x/a"));
        Assert.False(Allowed(everyNamespace, "z/c", "x/a"));

        var ownNamespace = ModelOf(IngressTo("x", "all-pods", SelectPod("a"), NetworkPolicyRule.From(NetworkPolicyPeer.Pods(LabelSelector.Everything))));
        Assert.True(Allowed(ownNamespace, "x/c", "x/a"));
        Assert.False(Allowed(ownNamespace, "y/c", "x/a"));
        Assert.False(Allowed(ownNamespace, "192.0.2.1", "x/a"), "a selector never matches addresses outside the pods");
    }

    [Fact]
    public void Match_expressions_select_like_match_labels()
    {
        var notB = new LabelSelector(null, [new LabelSelectorRequirement("pod", SelectorOperators.NotIn, ["b"])]);
        var model = ModelOf(IngressTo("x", "not-b", SelectPod("a"), NetworkPolicyRule.From(new NetworkPolicyPeer(notB, LabelSelector.Everything))));
        Assert.False(Allowed(model, "y/b", "x/a"));
        Assert.True(Allowed(model, "y/c", "x/a"));

        var unlabelled = new LabelSelector(null, [new LabelSelectorRequirement("team", SelectorOperators.DoesNotExist)]);
        var all = ModelOf(IngressTo("x", "no-team", unlabelled, NetworkPolicyRule.From(NetworkPolicyPeer.Pods(SelectPod("zzz")))));
        Assert.False(Allowed(all, "x/b", "x/a"), "DoesNotExist selects every pod without the key");
    }

    [Fact]
    public void Ip_blocks_match_addresses_and_pods_by_address_except_the_exceptions()
    {
        var model = ModelOf(IngressTo("x", "block", SelectPod("a"), NetworkPolicyRule.From(NetworkPolicyPeer.Block("10.100.0.0/16", "10.100.2.0/24"))));
        Assert.True(Allowed(model, "z/b", "x/a"));
        Assert.False(Allowed(model, "y/b", "x/a"));
        Assert.True(Allowed(model, "10.100.9.9", "x/a"));
        Assert.False(Allowed(model, "192.0.2.1", "x/a"));
    }

    [Fact]
    public void Ports_default_to_tcp_and_ranges_include_both_ends()
    {
        var model = ModelOf(IngressTo("x", "ports", SelectPod("a"), NetworkPolicyRule.Everything.OnPorts(new NetworkPolicyPort(Port: 80), new NetworkPolicyPort(PolicyProtocol.Udp, 1000, 1002))));
        Assert.True(Allowed(model, "y/b", "x/a", 80));
        Assert.False(Allowed(model, "y/b", "x/a", 80, PolicyProtocol.Udp));
        Assert.False(Allowed(model, "y/b", "x/a", 81));
        Assert.True(Allowed(model, "y/b", "x/a", 1000, PolicyProtocol.Udp));
        Assert.True(Allowed(model, "y/b", "x/a", 1002, PolicyProtocol.Udp));
        Assert.False(Allowed(model, "y/b", "x/a", 1003, PolicyProtocol.Udp));
        Assert.False(Allowed(model, "y/b", "x/a", 1001, PolicyProtocol.Tcp));
        Assert.False(Allowed(model, "y/b", "x/a", 80, PolicyProtocol.Sctp));
    }

    [Fact]
    public void A_port_entry_without_a_port_means_every_port_of_its_protocol()
    {
        var model = ModelOf(IngressTo("x", "sctp", SelectPod("a"), NetworkPolicyRule.Everything.OnPorts(new NetworkPolicyPort(PolicyProtocol.Sctp))));
        Assert.True(Allowed(model, "y/b", "x/a", 9999, PolicyProtocol.Sctp));
        Assert.False(Allowed(model, "y/b", "x/a", 80));
    }

    [Fact]
    public void Named_ports_resolve_on_each_target_pod()
    {
        // a serves "web" on 80, b on 81: one rule, two numbers.
        var pods = Pods().Select(p => p.Key switch
        {
            "x/a" => p with { Ports = [new ContainerPort("web", 80)] },
            "x/b" => p with { Ports = [new ContainerPort("web", 81)] },
            _ => p,
        });
        var policy = IngressTo("x", "web", LabelSelector.Everything, NetworkPolicyRule.Everything.OnPorts(new NetworkPolicyPort(PolicyProtocol.Tcp, "web")));
        var model = new PolicyModel(Namespaces(), pods, [policy]);
        Assert.True(Allowed(model, "y/a", "x/a", 80));
        Assert.False(Allowed(model, "y/a", "x/a", 81));
        Assert.True(Allowed(model, "y/a", "x/b", 81));
        Assert.False(Allowed(model, "y/a", "x/b", 80));
        Assert.False(Allowed(model, "y/a", "x/c", 80), "x/c has no port named web");
        Assert.False(Allowed(model, "y/a", "x/a", 80, PolicyProtocol.Udp));
    }

    [Fact]
    public void Egress_named_ports_resolve_on_the_destination()
    {
        var model = ModelOf(EgressFrom("x", "web", SelectPod("a"), NetworkPolicyRule.Everything.OnPorts(new NetworkPolicyPort(PolicyProtocol.Udp, "serve-81-udp"))));
        Assert.True(Allowed(model, "x/a", "y/b", 81, PolicyProtocol.Udp));
        Assert.False(Allowed(model, "x/a", "y/b", 80, PolicyProtocol.Udp));
        Assert.False(Allowed(model, "x/a", "192.0.2.1", 81, PolicyProtocol.Udp), "an address outside the pods has no named ports");
    }

    [Fact]
    public void Egress_to_an_ip_block()
    {
        var model = ModelOf(EgressFrom("x", "out", SelectPod("a"), NetworkPolicyRule.From(NetworkPolicyPeer.Block("192.0.2.0/24")).OnPorts(new NetworkPolicyPort(Port: 443))));
        Assert.True(Allowed(model, "x/a", "192.0.2.7", 443));
        Assert.False(Allowed(model, "x/a", "192.0.2.7", 80));
        Assert.False(Allowed(model, "x/a", "y/a", 443));
        var verdict = Check(model, "x/a", "192.0.2.7", 443);
        Assert.Equal(DirectionOutcome.NotAPod, verdict.Ingress.Outcome);
        Assert.Equal("x/out", verdict.Egress.Policy!.Key);
    }

    [Fact]
    public void Policy_types_defaulting_an_egress_only_policy_without_types_isolates_ingress_too()
    {
        var unspecified = new NetworkPolicy("x", "egress-rules", SelectPod("a"), [], [NetworkPolicyRule.Everything]);
        var model = ModelOf(unspecified);
        Assert.False(Allowed(model, "y/a", "x/a"), "Ingress is always among the defaulted policyTypes");
        Assert.True(Allowed(model, "x/a", "y/a"));

        var explicitEgress = ModelOf(unspecified with { PolicyTypes = [PolicyDirection.Egress], Ingress = [] });
        Assert.True(Allowed(explicitEgress, "y/a", "x/a"));
    }

    [Fact]
    public void Ingress_rules_of_an_egress_only_policy_are_ignored()
    {
        var policy = new NetworkPolicy("x", "p", SelectPod("a"), [NetworkPolicyRule.Everything], [], [PolicyDirection.Egress]);
        var model = ModelOf(policy);
        Assert.Equal(DirectionOutcome.NotIsolated, Check(model, "y/a", "x/a").Ingress.Outcome);
        Assert.False(Allowed(model, "x/a", "y/a"));
    }

    [Fact]
    public void Both_sides_must_allow()
    {
        var model = ModelOf(
            EgressFrom("x", "to-y", SelectPod("a"), NetworkPolicyRule.From(NetworkPolicyPeer.Namespaces(SelectNamespace("y")))),
            DenyAllIngress("y"));
        var verdict = Check(model, "x/a", "y/a");
        Assert.False(verdict.Allowed);
        Assert.True(verdict.Egress.Allows);
        Assert.StartsWith("ingress: denied", verdict.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void The_first_allowing_rule_is_reported()
    {
        var policy = IngressTo(
            "x",
            "two",
            SelectPod("a"),
            NetworkPolicyRule.From(NetworkPolicyPeer.Pods(SelectPod("c"))),
            NetworkPolicyRule.From(NetworkPolicyPeer.Namespaces(SelectNamespace("y"))).OnPorts(new NetworkPolicyPort(Port: 80)));
        var verdict = Check(ModelOf(policy), "y/c", "x/a");
        Assert.Equal("egress: no policy isolates the pod; ingress: allowed by x/two ingress rule 1", verdict.Reason);
    }

    [Fact]
    public void Namespace_labels_come_from_the_namespaces()
    {
        var namespaces = Namespaces().Select(n => n.Name == "z" ? ClusterNamespace.Create("z", Labels("team", "blue")) : n);
        var policy = IngressTo("x", "blue", SelectPod("a"), NetworkPolicyRule.From(NetworkPolicyPeer.Namespaces(Select("team", "blue"))));
        var model = new PolicyModel(namespaces, Pods(), [policy]);
        Assert.True(Allowed(model, "z/a", "x/a"));
        Assert.False(Allowed(model, "y/a", "x/a"));
    }
}
