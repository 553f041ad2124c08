using Routing.Policy.Compilation;
using Routing.Policy.Model;
using Routing.Policy.Selectors;
using static Routing.Policy.Tests.Kit.Cluster;

namespace Routing.Policy.Tests.Compilation;

public class PolicyCompilerTests
{
    private static readonly PolicyCompiler Compiler = new();

    private static readonly NetworkPolicy FromYb = IngressTo("x", "from-y-b", SelectPod("a"), NetworkPolicyRule.From(new NetworkPolicyPeer(SelectPod("b"), SelectNamespace("y"))).OnPorts(new NetworkPolicyPort(Port: 80)));

    [Fact]
    public void Without_policies_every_local_pod_returns_and_unknown_pod_interfaces_drop()
    {
        var ruleset = Compiler.Compile(ModelOf());
        Assert.Equal(["-j RETURN"], ruleset.Chain("rtp-ingress").Rules.Select(r => r.Spec));
        Assert.Equal(["-j RETURN"], ruleset.Chain("rtp-egress").Rules.Select(r => r.Spec));
        var local = Assert.Single(ruleset.Sets);
        Assert.Equal(CompiledSetType.Interfaces, local.Type);
        Assert.Equal(9, local.Members.Count);
        Assert.Contains("10.100.1.1,calixa", local.Members);
        Assert.Equal([$"-m set --match-set {local.Name} dst,dst -g rtp-ingress", "-o cali+ -j DROP"], ruleset.Chain("rtp-to-wl").Rules.Select(r => r.Spec));
        Assert.Equal([$"-m set --match-set {local.Name} src,src -g rtp-egress", "-i cali+ -j DROP"], ruleset.Chain("rtp-from-wl").Rules.Select(r => r.Spec));
        Assert.Equal(["-i cali+ -j rtp-fwd", "-o cali+ -j rtp-fwd"], ruleset.ForwardRules.Select(r => r.Spec));
        var forward = ruleset.Chain("rtp-fwd").Rules.Select(r => r.Spec).ToArray();
        Assert.Equal("-m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT", forward[0]);
        Assert.Equal("-m conntrack --ctstate INVALID -j DROP", forward[1]);
    }

    [Fact]
    public void An_isolated_pod_calls_its_policies_and_drops_what_none_allows()
    {
        var deny = DenyAllIngress("x");
        var ruleset = Compiler.Compile(ModelOf(FromYb, deny));
        var policyChain = Compiler.PolicyChain(PolicyDirection.Ingress, FromYb);
        var denyChain = Compiler.PolicyChain(PolicyDirection.Ingress, deny);
        var fromYbPods = SetMeaning(ruleset, "local pods x/from-y-b applies to for ingress");
        var denyPods = SetMeaning(ruleset, $"local pods {deny.Key} applies to for ingress");
        var isolated = SetMeaning(ruleset, "local pods isolated for ingress");
        Assert.Equal(
            [
                "-j MARK --set-xmark 0x0/0x10000",
                $"-m set --match-set {denyPods.Name} dst -j {denyChain}", "-m mark --mark 0x10000/0x10000 -j RETURN",
                $"-m set --match-set {fromYbPods.Name} dst -j {policyChain}", "-m mark --mark 0x10000/0x10000 -j RETURN",
                $"-m set --match-set {isolated.Name} dst -j DROP",
                "-j RETURN",
            ],
            ruleset.Chain("rtp-ingress").Rules.Select(r => r.Spec));
        Assert.Equal(["10.100.1.1"], fromYbPods.Members);
        Assert.Equal(["10.100.1.1", "10.100.1.2", "10.100.1.3"], denyPods.Members);
        Assert.Equal(denyPods.Members, isolated.Members);
        Assert.Empty(ruleset.Chain(denyChain).Rules);
        var rule = Assert.Single(ruleset.Chain(policyChain).Rules);
        var set = Assert.Single(ruleset.Sets, s => s.Meaning.StartsWith("pods {", StringComparison.Ordinal));
        Assert.Equal($"-m set --match-set {set.Name} src -p tcp --dport 80 -j MARK --set-xmark 0x10000/0x10000", rule.Spec);
        Assert.Equal("x/from-y-b ingress rule 0", rule.Comment);
        Assert.Equal(["10.100.2.2"], set.Members);
        Assert.Equal(["-j RETURN"], ruleset.Chain("rtp-egress").Rules.Select(r => r.Spec));
    }

    [Fact]
    public void A_relabelled_local_pod_changes_set_members_only()
    {
        var before = Compiler.Compile(ModelOf(FromYb));
        var pods = Pods().Select(p => p.Key == "x/b" ? p with { Labels = Labels("pod", "a") } : p);
        var after = Compiler.Compile(new PolicyModel(Namespaces(), pods, [FromYb]));
        Assert.Equal(before.Chains, after.Chains, ChainComparer.Instance);
        Assert.Equal(before.Sets.Select(s => s.Name), after.Sets.Select(s => s.Name));
        Assert.Equal(["10.100.1.1", "10.100.1.2"], SetMeaning(after, "local pods x/from-y-b applies to for ingress").Members);
        Assert.Equal(["10.100.1.1", "10.100.1.2"], SetMeaning(after, "local pods isolated for ingress").Members);
    }

    private static CompiledSet SetMeaning(PolicyRuleset ruleset, string meaning) => Assert.Single(ruleset.Sets, s => s.Meaning == meaning);

    [Fact]
    public void Peers_and_ports_multiply_and_ip_blocks_use_a_set_for_their_exceptions()
    {
        var policy = EgressFrom(
            "x",
            "out",
            SelectPod("a"),
            new NetworkPolicyRule(
                [NetworkPolicyPeer.Block("10.100.0.0/16", "10.100.2.0/24", "10.100.3.3/32"), NetworkPolicyPeer.Block("fd00::/64"), NetworkPolicyPeer.Namespaces(SelectNamespace("z"))],
                [new NetworkPolicyPort(PolicyProtocol.Udp, 1000, 2000), new NetworkPolicyPort(PolicyProtocol.Sctp)]));
        var ruleset = Compiler.Compile(ModelOf(policy));
        var networks = ruleset.Sets.Single(s => s.Type == CompiledSetType.Networks);
        var pods = ruleset.Sets.Single(s => s.Meaning.StartsWith("pods {", StringComparison.Ordinal));
        Assert.Equal(["10.100.2.0/24", "10.100.3.3/32"], networks.Members);
        Assert.Equal(["10.100.3.1", "10.100.3.2", "10.100.3.3"], pods.Members);
        Assert.Equal(
            [
                $"-d 10.100.0.0/16 -m set ! --match-set {networks.Name} dst -p udp --dport 1000:2000 -j MARK --set-xmark 0x10000/0x10000",
                $"-d 10.100.0.0/16 -m set ! --match-set {networks.Name} dst -p sctp -j MARK --set-xmark 0x10000/0x10000",
                $"-m set --match-set {pods.Name} dst -p udp --dport 1000:2000 -j MARK --set-xmark 0x10000/0x10000",
                $"-m set --match-set {pods.Name} dst -p sctp -j MARK --set-xmark 0x10000/0x10000",
            ],
            ruleset.Chain(Compiler.PolicyChain(PolicyDirection.Egress, policy)).Rules.Select(r => r.Spec));
    }

    [Fact]
    public void Named_ports_match_address_and_port_of_every_pod_declaring_them()
    {
        var pods = Pods().Select(p => p.Key == "y/b" ? p with { Ports = [new ContainerPort("serve-80-tcp", 8080)] } : p);
        var policy = IngressTo("x", "named", LabelSelector.Everything, NetworkPolicyRule.Everything.OnPorts(new NetworkPolicyPort(PolicyProtocol.Tcp, "serve-80-tcp")));
        var ruleset = Compiler.Compile(new PolicyModel(Namespaces(), pods, [policy]));
        var set = Assert.Single(ruleset.Sets, s => s.Type == CompiledSetType.AddressPorts);
        Assert.Contains("10.100.2.2,tcp:8080", set.Members);
        Assert.Contains("10.100.1.1,tcp:80", set.Members);
        Assert.Equal(9, set.Members.Count);
        Assert.Equal($"-p tcp -m set --match-set {set.Name} dst,dst -j MARK --set-xmark 0x10000/0x10000", Assert.Single(ruleset.Chain(Compiler.PolicyChain(PolicyDirection.Ingress, policy)).Rules).Spec);
    }

    [Fact]
    public void Compiling_is_deterministic_and_names_fit_the_kernel()
    {
        var a = Compiler.Compile(ModelOf(FromYb, DenyAllEgress("y")));
        var b = Compiler.Compile(new PolicyModel(Namespaces().Reverse(), Pods().Reverse(), [DenyAllEgress("y"), FromYb]));
        Assert.Equal(a.Chains.Select(c => c.Name), b.Chains.Select(c => c.Name));
        Assert.Equal(a.Chains.SelectMany(c => c.Rules), b.Chains.SelectMany(c => c.Rules));
        Assert.Equal(a.Sets.Select(s => (s.Name, string.Join(' ', s.Members))), b.Sets.Select(s => (s.Name, string.Join(' ', s.Members))));
        Assert.All(a.Chains, c => Assert.InRange(c.Name.Length, 1, 28));
        Assert.All(a.Sets, s => Assert.InRange(s.Name.Length, 1, 31));
    }

    [Fact]
    public void A_relabelled_peer_changes_set_members_only()
    {
        var before = Compiler.Compile(ModelOf(FromYb));
        var pods = Pods().Select(p => p.Key == "y/c" ? p with { Labels = Labels("pod", "b") } : p);
        var after = Compiler.Compile(new PolicyModel(Namespaces(), pods, [FromYb]));
        Assert.Equal(before.Chains, after.Chains, ChainComparer.Instance);
        Assert.Equal(before.Sets.Select(s => s.Name), after.Sets.Select(s => s.Name));
        Assert.Equal(["10.100.2.2", "10.100.2.3"], Assert.Single(after.Sets, s => s.Meaning.StartsWith("pods {", StringComparison.Ordinal)).Members);
    }

    [Fact]
    public void A_changed_policy_rewrites_its_own_chain_only()
    {
        var other = IngressTo("z", "other", SelectPod("c"), NetworkPolicyRule.From(NetworkPolicyPeer.Pods(SelectPod("a"))));
        var before = Compiler.Compile(ModelOf(FromYb, other));
        var changed = FromYb with { Ingress = [NetworkPolicyRule.From(new NetworkPolicyPeer(SelectPod("b"), SelectNamespace("y"))).OnPorts(new NetworkPolicyPort(Port: 81))] };
        var after = Compiler.Compile(ModelOf(changed, other));
        var differing = after.Chains.Where(c => !before.Chains.Any(b => ChainComparer.Instance.Equals(b, c))).Select(c => c.Name);
        Assert.Equal([Compiler.PolicyChain(PolicyDirection.Ingress, FromYb)], differing);
    }

    [Fact]
    public void Invalid_policies_compile_to_nothing()
    {
        var bad = IngressTo("x", "bad", LabelSelector.Everything, NetworkPolicyRule.From(NetworkPolicyPeer.Block("10.0.0.0/40")));
        var error = Assert.Throws<PolicyValidationException>(() => Compiler.Compile(ModelOf(FromYb, bad)));
        var (policy, reason) = Assert.Single(error.Errors);
        Assert.Equal("x/bad", policy);
        Assert.Equal("spec.ingress[0].from[0].ipBlock.cidr", reason.Field);
    }

    [Fact]
    public void Pods_of_other_nodes_are_peers_but_not_local_pods()
    {
        var pods = Pods().Select(p => p.Namespace == "y" ? p with { HostInterface = string.Empty } : p);
        var ruleset = Compiler.Compile(new PolicyModel(Namespaces(), pods, [FromYb]));
        Assert.DoesNotContain(SetMeaning(ruleset, "local pods").Members, m => m.Contains("caliy", StringComparison.Ordinal));
        Assert.Equal(6, SetMeaning(ruleset, "local pods").Members.Count);
        Assert.Equal(["10.100.2.2"], Assert.Single(ruleset.Sets, s => s.Meaning.StartsWith("pods {", StringComparison.Ordinal)).Members);
    }

    private sealed class ChainComparer : IEqualityComparer<CompiledChain>
    {
        public static readonly ChainComparer Instance = new();

        public bool Equals(CompiledChain? x, CompiledChain? y) =>
            x is not null && y is not null && x.Name == y.Name && x.Rules.SequenceEqual(y.Rules);

        public int GetHashCode(CompiledChain obj) => obj.Name.GetHashCode(StringComparison.Ordinal);
    }
}
