using Routing.Policy.Compilation;
using Routing.Policy.Model;
using Routing.Policy.Selectors;
using static Routing.Policy.Tests.GlobalPolicy.GlobalPolicies;
using static Routing.Policy.Tests.Kit.Cluster;

namespace Routing.Policy.Tests.GlobalPolicy;

public sealed class GlobalPolicyCompilerTests
{
    private static readonly PolicyCompiler Compiler = new();

    private static PolicyModel With(NetworkPolicy[] policies, params GlobalNetworkPolicy[] globals) => new(Namespaces(), Pods(), policies, globals);

    [Fact]
    public void Policies_are_called_in_order_with_a_pass_check_where_one_passes()
    {
        var early = Ingress("early", 10, "pod == 'a'", Rule(RuleAction.Pass, Namespace("y")));
        var late = Ingress("late", 2000, "all()", Rule(RuleAction.Deny));
        var k8s = DenyAllIngress("x");
        var ruleset = Compiler.Compile(With([k8s], late, early));

        var earlyPods = PodsOf(ruleset, early.Key);
        var k8sPods = PodsOf(ruleset, k8s.Key);
        var latePods = PodsOf(ruleset, late.Key);
        Assert.Equal(
            [
                "-j MARK --set-xmark 0x0/0x30000",
                $"-m set --match-set {earlyPods.Name} dst -j {Compiler.GlobalPolicyChain(PolicyDirection.Ingress, early)}", "-m mark --mark 0x10000/0x10000 -j RETURN", "-m mark --mark 0x20000/0x20000 -j RETURN",
                $"-m set --match-set {k8sPods.Name} dst -j {Compiler.PolicyChain(PolicyDirection.Ingress, k8s)}", "-m mark --mark 0x10000/0x10000 -j RETURN",
                $"-m set --match-set {latePods.Name} dst -j {Compiler.GlobalPolicyChain(PolicyDirection.Ingress, late)}", "-m mark --mark 0x10000/0x10000 -j RETURN",
                $"-m set --match-set {Assert.Single(ruleset.Sets, s => s.Meaning == "local pods isolated for ingress").Name} dst -j DROP",
                "-j RETURN",
            ],
            ruleset.Chain("rtp-ingress").Rules.Select(r => r.Spec));
        Assert.Equal(["10.100.1.1", "10.100.2.1", "10.100.3.1"], earlyPods.Members);
        Assert.Equal(["10.100.1.1", "10.100.1.2", "10.100.1.3"], k8sPods.Members);
        Assert.Equal(9, latePods.Members.Count);
        Assert.Equal("-j RETURN", Assert.Single(ruleset.Chain("rtp-egress").Rules).Spec);
    }

    [Fact]
    public void Actions_compile_as_felix_writes_them()
    {
        var policy = Ingress(
            "actions",
            1,
            "all()",
            Rule(RuleAction.Log),
            Rule(RuleAction.Deny, Selector("pod == 'b'")),
            Rule(RuleAction.Allow, Nets(["10.100.0.0/16"], "10.100.2.0/24"), Ports(80, RulePort.Range(90, 99)), RuleProtocol.Tcp),
            Rule(RuleAction.Pass, Nets(["10.100.1.0/24", "10.100.3.0/24"])));
        var ruleset = Compiler.Compile(With([], policy));
        var pods = ruleset.Sets.Single(s => s.Meaning.StartsWith("pods {pod == 'b'}", StringComparison.Ordinal));
        var nets = ruleset.Sets.Single(s => s.Type == CompiledSetType.Networks && s.Members.Count == 2);
        var notNets = ruleset.Sets.Single(s => s.Type == CompiledSetType.Networks && s.Members.Count == 1);

        Assert.Equal(
            [
                "-j LOG --log-prefix rtp-log:",
                $"-m set --match-set {pods.Name} src -j DROP",
                $"-p tcp -s 10.100.0.0/16 -m set ! --match-set {notNets.Name} src -m multiport --dports 80,90:99 -j MARK --set-xmark 0x10000/0x10000",
                "-m mark --mark 0x10000/0x10000 -j RETURN",
                $"-m set --match-set {nets.Name} src -j MARK --set-xmark 0x20000/0x20000",
                "-m mark --mark 0x20000/0x20000 -j RETURN",
            ],
            ruleset.Chain(Compiler.GlobalPolicyChain(PolicyDirection.Ingress, policy)).Rules.Select(r => r.Spec));
        Assert.Equal(["10.100.1.2", "10.100.2.2", "10.100.3.2"], pods.Members);
        Assert.Equal(["10.100.1.0/24", "10.100.3.0/24"], nets.Members);
        Assert.Equal("GlobalNetworkPolicy/actions ingress rule 1 (Deny)", ruleset.Chain(Compiler.GlobalPolicyChain(PolicyDirection.Ingress, policy)).Rules[1].Comment);
    }

    [Fact]
    public void Named_ports_and_many_ports_become_alternatives_and_not_ports_all_hold()
    {
        var ports = Enumerable.Range(1000, 16).Select(p => (RulePort)p).Append(RulePort.Named("serve-80-tcp")).ToArray();
        var policy = Egress("many", 1, "pod == 'a'", Rule(RuleAction.Allow, EntityRule.Any with { NotPorts = [22, RulePort.Named("serve-81-tcp")] }, Ports(ports), RuleProtocol.Tcp));
        var ruleset = Compiler.Compile(With([], policy));
        var named80 = ruleset.Sets.Single(s => s.Meaning == "port serve-80-tcp/TCP");
        var named81 = ruleset.Sets.Single(s => s.Meaning == "port serve-81-tcp/TCP");
        var notPorts = $"-m multiport ! --sports 22 -m set ! --match-set {named81.Name} src,src ";

        Assert.Equal(
            [
                $"-p tcp {notPorts}-m multiport --dports {string.Join(',', Enumerable.Range(1000, 15))} -j MARK --set-xmark 0x10000/0x10000",
                $"-p tcp {notPorts}-m multiport --dports 1015 -j MARK --set-xmark 0x10000/0x10000",
                $"-p tcp {notPorts}-m set --match-set {named80.Name} dst,dst -j MARK --set-xmark 0x10000/0x10000",
                "-m mark --mark 0x10000/0x10000 -j RETURN",
            ],
            ruleset.Chain(Compiler.GlobalPolicyChain(PolicyDirection.Egress, policy)).Rules.Select(r => r.Spec));
    }

    [Fact]
    public void A_rule_whose_nets_are_all_of_the_other_family_compiles_to_nothing()
    {
        var policy = Ingress("v6", 1, "all()", Rule(RuleAction.Deny, Nets(["fd00::/64"])), Rule(RuleAction.Allow));
        var rules = Compiler.Compile(With([], policy)).Chain(Compiler.GlobalPolicyChain(PolicyDirection.Ingress, policy)).Rules;

        Assert.Equal(["-j MARK --set-xmark 0x10000/0x10000", "-m mark --mark 0x10000/0x10000 -j RETURN"], rules.Select(r => r.Spec));
    }

    [Fact]
    public void A_namespace_selector_on_the_policy_limits_its_pods()
    {
        var policy = Ingress("in-y", 1, "all()", Rule(RuleAction.Deny)) with { NamespaceSelector = SelectorExpression.Parse("kubernetes.io/metadata.name == 'y'") };
        var ruleset = Compiler.Compile(With([], policy));

        var pods = PodsOf(ruleset, policy.Key);
        Assert.Equal(["10.100.2.1", "10.100.2.2", "10.100.2.3"], pods.Members);
        Assert.Contains(ruleset.Chain("rtp-ingress").Rules, r => r.Spec == $"-m set --match-set {pods.Name} dst -j {Compiler.GlobalPolicyChain(PolicyDirection.Ingress, policy)}");
    }

    private static CompiledSet PodsOf(PolicyRuleset ruleset, string policy) =>
        Assert.Single(ruleset.Sets, s => s.Meaning == $"local pods {policy} applies to for ingress");

    [Fact]
    public void An_invalid_global_policy_does_not_compile()
    {
        var bad = Ingress("bad", 1, "all()", Rule(RuleAction.Allow, destination: Ports(80)));
        var error = Assert.Throws<PolicyValidationException>(() => Compiler.Compile(With([], bad)));

        Assert.Equal(("GlobalNetworkPolicy/bad", "spec.ingress[0].protocol"), (Assert.Single(error.Errors).Policy, error.Errors[0].Error.Field));
    }
}
