using System.Net;
using BenchmarkDotNet.Attributes;
using Routing.Policy.Compilation;
using Routing.Policy.Evaluation;
using Routing.Policy.Model;
using Routing.Policy.Selectors;

namespace Routing.Benchmarks.Policy;

/// <summary>
/// The pure compiler over the scale: 1,000 policies (10 per namespace) over 5,000 pods in
/// 100 namespaces, each policy with a pod-selector, a namespace-selector and an ipBlock peer on a
/// numeric and a named port, and an egress rule. <see cref="LocalPods"/> of them run on the node
/// compiled for (a node of a 50-node cluster holds about 100). Also one explain-style evaluation.
/// </summary>
[MemoryDiagnoser]
public class PolicyCompileBenchmarks
{
    private PolicyModel model = null!;
    private PolicyEvaluator evaluator = null!;
    private Connection connection = null!;
    private readonly PolicyCompiler compiler = new();

    [Params(100, 5000)]
    public int LocalPods { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var namespaces = Enumerable.Range(0, 100).Select(n => ClusterNamespace.Create($"ns{n}", new Dictionary<string, string> { ["team"] = $"t{n % 10}" })).ToArray();
        var pods = Enumerable.Range(0, 5000).Select(i => new Endpoint(
            $"ns{i % 100}",
            $"pod{i}",
            new Dictionary<string, string> { ["app"] = $"app{i / 100 % 10}", ["tier"] = i % 2 == 0 ? "web" : "db" },
            [new IPAddress([10, (byte)(i >> 16), (byte)(i >> 8), (byte)i])],
            [new ContainerPort("http", 8080 + (i % 3))],
            i < LocalPods ? $"cali{i:x8}" : string.Empty)).ToArray();
        var policies = Enumerable.Range(0, 1000).Select(p => new NetworkPolicy(
            $"ns{p % 100}",
            $"policy{p}",
            new LabelSelector(new Dictionary<string, string> { ["app"] = $"app{p / 100}" }),
            [
                new NetworkPolicyRule(
                    [
                        NetworkPolicyPeer.Pods(new LabelSelector(new Dictionary<string, string> { ["tier"] = "web" })),
                        new NetworkPolicyPeer(
                            new LabelSelector(null, [new LabelSelectorRequirement("app", SelectorOperators.In, [$"app{p % 10}", $"app{(p + 1) % 10}"])]),
                            new LabelSelector(new Dictionary<string, string> { ["team"] = $"t{p % 10}" })),
                        NetworkPolicyPeer.Block("192.168.0.0/16", $"192.168.{p % 256}.0/24"),
                    ],
                    [new NetworkPolicyPort(PolicyProtocol.Tcp, 80), new NetworkPolicyPort(PolicyProtocol.Tcp, "http")]),
            ],
            [NetworkPolicyRule.From(NetworkPolicyPeer.Namespaces(LabelSelector.Everything)).OnPorts(new NetworkPolicyPort(PolicyProtocol.Udp, 53))])).ToArray();
        model = new PolicyModel(namespaces, pods, policies);
        evaluator = new PolicyEvaluator(model);
        connection = new Connection(TrafficPeer.Of(pods[1]), TrafficPeer.Of(pods[0]), 8080);
    }

    [Benchmark]
    public PolicyRuleset Compile() => compiler.Compile(model);

    [Benchmark]
    public Verdict Explain() => evaluator.Evaluate(connection);
}
