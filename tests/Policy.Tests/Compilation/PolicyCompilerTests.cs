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
        Assert.Equal(["-j RETURN"], ruleset.Chain("rtp-tw-calixa").Rules.Select(r => r.Spec));
        Assert.Equal(["-j RETURN"], ruleset.Chain("rtp-fw-calizc").Rules.Select(r => r.Spec));
        var dispatch = ruleset.Chain("rtp-to-wl").Rules.Select(r => r.Spec).ToArray();
        Assert.Equal(10, dispatch.Length);
        Assert.Equal("-o calixa -g rtp-tw-calixa", dispatch[0]);
        Assert.Equal("-o cali+ -j DROP", dispatch[^1]);
        Assert.Empty(ruleset.Sets);
        Assert.Equal(["-i cali+ -j rtp-fwd", "-o cali+ -j rtp-fwd"], ruleset.ForwardRules.Select(r => r.Spec));
        var forward = ruleset.Chain("rtp-fwd").Rules.Select(r => r.Spec).ToArray();
        Assert.Equal("-m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT", forward[0]);
        Assert.Equal("-m conntrack --ctstate INVALID -j DROP", forward[1]);
    }

    [Fact]
    public void An_isolated_pod_calls_its_policies_and_drops_what_none_allows()
    {
        var ruleset = Compiler.Compile(ModelOf(FromYb, DenyAllIngress("x")));
        var policyChain = Compiler.PolicyChain(PolicyDirection.Ingress, FromYb);
        var denyChain = Compiler.PolicyChain(PolicyDirection.Ingress, DenyAllIngress("x"));
        Assert.Equal(
            [
                "-j MARK --set-xmark 0x0/0x10000",
                $"-j {denyChain}", "-m mark --mark 0x10000/0x10000 -j RETURN",
                $"-j {policyChain}", "-m mark --mark 0x10000/0x10000 -j RETURN",
                "-j DROP",
            ],
            ruleset.Chain("rtp-tw-calixa").Rules.Select(r => r.Spec));
        Assert.Empty(ruleset.Chain(denyChain).Rules);
        var rule = Assert.Single(ruleset.Chain(policyChain).Rules);
        var set = Assert.Single(ruleset.Sets);
        Assert.Equal($"-m set --match-set {set.Name} src -p tcp --dport 80 -j MARK --set-xmark 0x10000/0x10000", rule.Spec);
        Assert.Equal("x/from-y-b ingress rule 0", rule.Comment);
        Assert.Equal(["10.100.2.2"], set.Members);
        Assert.Equal(CompiledSetType.Addresses, set.Type);
        Assert.Equal(["-j RETURN"], ruleset.Chain("rtp-fw-calixa").Rules.Select(r => r.Spec));
    }

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
        var pods = ruleset.Sets.Single(s => s.Type == CompiledSetType.Addresses);
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
        var set = Assert.Single(ruleset.Sets);
        Assert.Equal(CompiledSetType.AddressPorts, set.Type);
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
        Assert.Equal(["10.100.2.2", "10.100.2.3"], Assert.Single(after.Sets).Members);
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
    public void Pods_of_other_nodes_get_no_chains_but_are_members()
    {
        var pods = Pods().Select(p => p.Namespace == "y" ? p with { HostInterface = string.Empty } : p);
        var ruleset = Compiler.Compile(new PolicyModel(Namespaces(), pods, [FromYb]));
        Assert.DoesNotContain(ruleset.Chains, c => c.Name.Contains("caliy", StringComparison.Ordinal));
        Assert.Equal(["10.100.2.2"], Assert.Single(ruleset.Sets).Members);
    }

    private sealed class ChainComparer : IEqualityComparer<CompiledChain>
    {
        public static readonly ChainComparer Instance = new();

        public bool Equals(CompiledChain? x, CompiledChain? y) =>
            x is not null && y is not null && x.Name == y.Name && x.Rules.SequenceEqual(y.Rules);

        public int GetHashCode(CompiledChain obj) => obj.Name.GetHashCode(StringComparison.Ordinal);
    }
}
