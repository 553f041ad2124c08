using Routing.Policy.Evaluation;
using Routing.Policy.Model;
using Routing.Policy.Selectors;
using Routing.Policy.Tests.Kit;
using Xunit.Abstractions;
using static Routing.Policy.Tests.Kit.Cluster;

namespace Routing.Policy.Tests.Conformance;

/// <summary>
/// NetworkPolicy conformance with real packets: each case applies policies to the 3 × 3 pod
/// network through the compiler and the kernel, probes every (from, to, port, protocol) and
/// compares what got through with the matrix written from the Kubernetes documentation, and
/// with the evaluator. One network serves all cases; each case replaces the policies.
/// </summary>
[Trait("Category", "Netns")]
[Collection("PodNetwork")]
public sealed partial class ConformanceTests(PodNetwork network, ITestOutputHelper output) : IClassFixture<PodNetwork>
{
    private static readonly LabelSelector AllPods = LabelSelector.Everything;

    private async Task CheckAsync(PolicyModel model, Reachability expected)
    {
        await network.StartAsync();
        await network.ApplyAsync(model);
        await VerifyAsync(model, expected);
    }

    private async Task VerifyAsync(PolicyModel model, Reachability expected)
    {
        var evaluator = new PolicyEvaluator(model);
        // A pod the model does not know has no verdict: the dataplane fails closed for it.
        var predicted = Reachability.AllProbes().ToDictionary(p => p, p => Connection(model, p) is { } c ? evaluator.Evaluate(c).Allowed : expected[p]);
        var observed = await network.ProbeAllAsync(Reachability.AllProbes(), p => expected[p]);
        output.WriteLine("observed:\n" + Reachability.Render(observed));
        var kernel = expected.Differences(observed, "kernel");
        var explained = expected.Differences(predicted, "evaluator");
        Assert.True(kernel.Count == 0 && explained.Count == 0, string.Join('\n', kernel.Concat(explained)));
    }

    private static Connection? Connection(PolicyModel model, Probe probe)
    {
        var from = model.Endpoint(probe.From.Split('/')[0], probe.From.Split('/')[1]);
        var to = model.Endpoint(probe.To.Split('/')[0], probe.To.Split('/')[1]);
        return from is null || to is null ? null : new Connection(TrafficPeer.Of(from), TrafficPeer.Of(to), probe.Port, probe.Protocol);
    }

    [SkippableFact]
    public Task Without_policies_everything_is_reachable() =>
        CheckAsync(ModelOf(), new Reachability(true));

    [SkippableFact]
    public Task Deny_all_ingress_isolates_the_namespace() =>
        CheckAsync(ModelOf(DenyAllIngress("x")), new Reachability(true).Deny("*", "x/*"));

    [SkippableFact]
    public Task Deny_all_egress_stops_what_the_namespace_opens() =>
        CheckAsync(ModelOf(DenyAllEgress("x")), new Reachability(true).Deny("x/*", "*"));

    [SkippableFact]
    public Task Allow_from_a_pod_selector_means_the_policy_namespace() =>
        CheckAsync(
            ModelOf(IngressTo("x", "a-from-b", SelectPod("a"), NetworkPolicyRule.From(NetworkPolicyPeer.Pods(SelectPod("b"))))),
            new Reachability(true).Deny("*", "x/a").Allow("x/b", "x/a"));

    [SkippableFact]
    public Task Allow_from_a_namespace_selector() =>
        CheckAsync(
            ModelOf(IngressTo("x", "a-from-y", SelectPod("a"), NetworkPolicyRule.From(NetworkPolicyPeer.Namespaces(SelectNamespace("y"))))),
            new Reachability(true).Deny("*", "x/a").Allow("y/*", "x/a"));

    [SkippableFact]
    public Task Pod_and_namespace_selectors_in_one_peer_are_anded() =>
        CheckAsync(
            ModelOf(IngressTo("x", "a-from-yb", SelectPod("a"), NetworkPolicyRule.From(new NetworkPolicyPeer(SelectPod("b"), SelectNamespace("y"))))),
            new Reachability(true).Deny("*", "x/a").Allow("y/b", "x/a"));

    [SkippableFact]
    public Task Ip_block_with_except() =>
        CheckAsync(
            ModelOf(IngressTo("x", "a-from-block", SelectPod("a"), NetworkPolicyRule.From(NetworkPolicyPeer.Block("10.100.0.0/16", "10.100.2.0/24", "10.100.3.3/32")))),
            new Reachability(true).Deny("y/*", "x/a").Deny("z/c", "x/a"));

    [SkippableFact]
    public Task Egress_to_an_ip_block_and_a_namespace()
    {
        var policy = EgressFrom(
            "y",
            "b-to",
            SelectPod("b"),
            NetworkPolicyRule.From(NetworkPolicyPeer.Block("10.100.1.0/24")),
            NetworkPolicyRule.From(NetworkPolicyPeer.Namespaces(SelectNamespace("z"))).OnPorts(new NetworkPolicyPort(PolicyProtocol.Udp, 81)));
        return CheckAsync(
            ModelOf(policy),
            new Reachability(true).Deny("y/b", "*").Allow("y/b", "x/*").Allow("y/b", "z/*", 81, PolicyProtocol.Udp));
    }

    [SkippableFact]
    public Task Named_ports_resolve_on_each_pod()
    {
        // The servers listen on 80 and 81 everywhere; the pods declare "web" as 80 on x/a and 81 on x/b.
        var pods = Pods().Select(p => p.Key switch
        {
            "x/a" => p with { Ports = [new ContainerPort("web", 80)] },
            "x/b" => p with { Ports = [new ContainerPort("web", 81)] },
            _ => p,
        });
        var policy = IngressTo("x", "web", AllPods, NetworkPolicyRule.Everything.OnPorts(new NetworkPolicyPort(PolicyProtocol.Tcp, "web")));
        return CheckAsync(
            new PolicyModel(Namespaces(), pods, [policy]),
            new Reachability(true).Deny("*", "x/*").Allow("*", "x/a", 80, PolicyProtocol.Tcp).Allow("*", "x/b", 81, PolicyProtocol.Tcp));
    }

    [SkippableFact]
    public Task End_port_ranges_include_their_ends() =>
        CheckAsync(
            ModelOf(IngressTo("x", "range", SelectPod("a"), NetworkPolicyRule.Everything.OnPorts(new NetworkPolicyPort(PolicyProtocol.Tcp, 81, 90), new NetworkPolicyPort(PolicyProtocol.Tcp, 70, 80)))),
            new Reachability(true).Deny("*", "x/a", protocol: PolicyProtocol.Udp));

    [SkippableFact]
    public Task Udp_only_on_its_port() =>
        CheckAsync(
            ModelOf(IngressTo("x", "udp", SelectPod("a"), NetworkPolicyRule.Everything.OnPorts(new NetworkPolicyPort(PolicyProtocol.Udp, 81)))),
            new Reachability(true).Deny("*", "x/a").Allow("*", "x/a", 81, PolicyProtocol.Udp));

    [SkippableFact]
    public async Task A_policy_updated_then_deleted()
    {
        var deny = DenyAllIngress("z", "z-policy");
        await CheckAsync(ModelOf(deny), new Reachability(true).Deny("*", "z/*"));

        var updated = IngressTo("z", "z-policy", AllPods, NetworkPolicyRule.From(NetworkPolicyPeer.Namespaces(SelectNamespace("x"))));
        var result = await network.ApplyAsync(ModelOf(updated));
        Assert.Equal(1, result.ChainsWritten);
        await VerifyAsync(ModelOf(updated), new Reachability(true).Deny("*", "z/*").Allow("x/*", "z/*"));

        await CheckAsync(ModelOf(), new Reachability(true));
    }

    [SkippableFact]
    public async Task A_relabelled_pod_changes_set_members_only()
    {
        var policy = IngressTo("x", "from-b", SelectPod("a"), NetworkPolicyRule.From(new NetworkPolicyPeer(SelectPod("b"), AllPods)));
        await CheckAsync(ModelOf(policy), new Reachability(true).Deny("*", "x/a").Allow("*/b", "x/a"));

        var pods = Pods().Select(p => p.Key == "z/c" ? p with { Labels = Labels("pod", "b") } : p);
        var relabelled = new PolicyModel(Namespaces(), pods, [policy]);
        var result = await network.ApplyAsync(relabelled);
        Assert.Equal(0, result.ChainsWritten);
        Assert.Equal(1, result.SetsChanged);
        await VerifyAsync(relabelled, new Reachability(true).Deny("*", "x/a").Allow("*/b", "x/a").Allow("z/c", "x/a"));
    }

    [SkippableFact]
    public async Task A_relabelled_namespace_changes_set_members_only()
    {
        var policy = IngressTo("y", "from-team", AllPods, NetworkPolicyRule.From(NetworkPolicyPeer.Namespaces(Select("team", "blue"))));
        await CheckAsync(ModelOf(policy), new Reachability(true).Deny("*", "y/*"));

        var namespaces = Namespaces().Select(n => n.Name == "z" ? ClusterNamespace.Create("z", Labels("team", "blue")) : n);
        var relabelled = new PolicyModel(namespaces, Pods(), [policy]);
        var result = await network.ApplyAsync(relabelled);
        Assert.Equal(0, result.ChainsWritten);
        await VerifyAsync(relabelled, new Reachability(true).Deny("*", "y/*").Allow("z/*", "y/*"));
    }

    [SkippableFact]
    public Task An_unknown_pod_interface_fails_closed() =>
        CheckAsync(
            new PolicyModel(Namespaces(), Pods().Where(p => p.Key != "z/c"), []),
            new Reachability(true).Deny("z/c", "*").Deny("*", "z/c"));

    [SkippableFact]
    public Task Sctp_ports_load_and_open_nothing_for_tcp_or_udp()
    {
        // This kernel may lack SCTP sockets, but the rules must load: numeric, range and named SCTP ports.
        var pods = Pods().Select(p => p with { Ports = [.. p.Ports, new ContainerPort("assoc", 9000, PolicyProtocol.Sctp)] });
        var policy = IngressTo(
            "x",
            "sctp-only",
            SelectPod("a"),
            NetworkPolicyRule.Everything.OnPorts(new NetworkPolicyPort(PolicyProtocol.Sctp, 80), new NetworkPolicyPort(PolicyProtocol.Sctp, 81, 90), new NetworkPolicyPort(PolicyProtocol.Sctp, "assoc")));
        return CheckAsync(new PolicyModel(Namespaces(), pods, [policy]), new Reachability(true).Deny("*", "x/a"));
    }

    [SkippableFact]
    public async Task An_invalid_policy_leaves_the_last_good_ruleset_in_force()
    {
        var good = ModelOf(DenyAllIngress("y"));
        await CheckAsync(good, new Reachability(true).Deny("*", "y/*"));

        var bad = IngressTo("x", "bad", AllPods, NetworkPolicyRule.Everything.OnPorts(new NetworkPolicyPort(PolicyProtocol.Tcp, 90, 80)));
        var error = await Assert.ThrowsAsync<Routing.Policy.Compilation.PolicyValidationException>(() => network.ApplyAsync(ModelOf(DenyAllIngress("y"), bad)));
        Assert.Equal("spec.ingress[0].ports[0].endPort", Assert.Single(error.Errors).Error.Field);
        await VerifyAsync(good, new Reachability(true).Deny("*", "y/*"));
    }
}
