using Routing.Policy.Compilation;
using Routing.Policy.Model;
using Routing.Policy.Tests.GlobalPolicy;
using static Routing.Policy.Tests.Kit.Cluster;

namespace Routing.Policy.Tests.Compilation;

public class IncrementalPolicyCompilerTests
{
    private static readonly PolicyCompiler Compiler = new();

    // Pods selected by label (a set of pods), by named port, by a GlobalNetworkPolicy's selector;
    // isolated by label, so a relabel changes which policies a local pod calls.
    private static readonly NetworkPolicy[] Policies =
    [
        IngressTo("x", "blue-from-red", Select("app", "blue"), NetworkPolicyRule.From(new NetworkPolicyPeer(Select("app", "red"), null)).OnPorts(new NetworkPolicyPort(Port: "serve-80-tcp"))),
        IngressTo("y", "red-from-x", Select("app", "red"), NetworkPolicyRule.From(new NetworkPolicyPeer(Select("app", "blue"), SelectNamespace("x")))),
        EgressFrom("z", "green-to-blue", Select("app", "green"), NetworkPolicyRule.From(new NetworkPolicyPeer(Select("app", "blue"), SelectNamespace("x")))),
    ];

    private static readonly GlobalNetworkPolicy[] Globals =
    [
        GlobalPolicies.Ingress("no-green", 10, "app == 'red'", GlobalPolicies.Rule(RuleAction.Deny, GlobalPolicies.Selector("app == 'green'"))),
    ];

    [Fact]
    public void Pods_relabelled_added_and_removed_give_the_ruleset_a_full_compile_gives_without_one()
    {
        var namespaces = Namespaces().ToArray();
        var pods = Pods().ToDictionary(p => p.Key, StringComparer.Ordinal);
        var incremental = new IncrementalPolicyCompiler(Compiler);
        PolicyModel Model() => new(namespaces, pods.Values, Policies, Globals);
        AssertSame(Compiler.Compile(Model()), incremental.Compile(Model()));
        Assert.False(incremental.LastWasIncremental);

        Endpoint[] steps =
        [
            Pod("x", "a", Labels("app", "blue")),
            Pod("y", "b", Labels("app", "red")),
            Pod("z", "c", Labels("app", "green")),
            Pod("x", "b", Labels("app", "blue")),
            Pod("x", "a", Labels("app", "red")),
            Pod("y", "b", Labels("app", "green")),
            Pod("x", "a"),
            Pod("x", "b", Labels("app", "red")) with { HostInterface = string.Empty },
        ];
        foreach (var pod in steps)
        {
            pods[pod.Key] = pod;
            AssertSame(Compiler.Compile(Model()), incremental.Compile(Model()));
            Assert.True(incremental.LastWasIncremental);
        }

        pods.Remove("z/c");
        AssertSame(Compiler.Compile(Model()), incremental.Compile(Model()));
        pods["z/c"] = Pod("z", "c", Labels("app", "green"));
        AssertSame(Compiler.Compile(Model()), incremental.Compile(Model()));
        Assert.True(incremental.LastWasIncremental);
        Assert.NotEmpty(incremental.Compile(Model()).Sets);
    }

    [Fact]
    public void A_changed_policy_or_namespace_compiles_in_full()
    {
        var incremental = new IncrementalPolicyCompiler(Compiler);
        var namespaces = Namespaces().ToArray();
        var pods = Pods().ToArray();
        incremental.Compile(new PolicyModel(namespaces, pods, Policies, Globals));
        var fewer = new PolicyModel(namespaces, pods, Policies[1..], Globals);
        AssertSame(Compiler.Compile(fewer), incremental.Compile(fewer));
        Assert.False(incremental.LastWasIncremental);
        var relabelled = new PolicyModel(namespaces.Select(n => n.Name == "x" ? n with { Labels = Labels(ClusterNamespace.NameLabel, "x", "team", "t") } : n), pods, Policies[1..], Globals);
        AssertSame(Compiler.Compile(relabelled), incremental.Compile(relabelled));
        Assert.False(incremental.LastWasIncremental);
    }

    [Fact]
    public void A_whole_compile_hands_over_each_of_its_sets_once_as_made_and_an_incremental_one_none()
    {
        var incremental = new IncrementalPolicyCompiler(Compiler);
        var namespaces = Namespaces().ToArray();
        var pods = Pods().ToDictionary(p => p.Key, StringComparer.Ordinal);
        var made = new List<CompiledSet>();

        var ruleset = incremental.Compile(new PolicyModel(namespaces, pods.Values, Policies, Globals), made.Add);

        // The very objects the ruleset lists (a loader compares them by reference), complete.
        Assert.Equal(ruleset.Sets.Count, made.Count);
        Assert.Equal(ruleset.Sets.Select(s => s.Name).Order(StringComparer.Ordinal), made.Select(s => s.Name).Order(StringComparer.Ordinal));
        Assert.All(ruleset.Sets, set => Assert.Same(set, made.Single(m => m.Name == set.Name)));
        AssertSame(Compiler.Compile(new PolicyModel(namespaces, pods.Values, Policies, Globals)), ruleset);

        made.Clear();
        pods["x/a"] = Pod("x", "a", Labels("app", "red"));
        incremental.Compile(new PolicyModel(namespaces, pods.Values, Policies, Globals), made.Add);
        Assert.True(incremental.LastWasIncremental);
        Assert.Empty(made);
    }

    private static void AssertSame(PolicyRuleset expected, PolicyRuleset actual)
    {
        Assert.Equal(expected.Chains.Select(c => c.Name), actual.Chains.Select(c => c.Name));
        foreach (var (want, got) in expected.Chains.Zip(actual.Chains))
        {
            Assert.Equal(want.Rules, got.Rules);
        }

        Assert.Equal(expected.Sets.Select(s => (s.Name, s.Type, s.Meaning)), actual.Sets.Select(s => (s.Name, s.Type, s.Meaning)));
        foreach (var (want, got) in expected.Sets.Zip(actual.Sets))
        {
            Assert.Equal(want.Members, got.Members);
        }

        Assert.Equal(expected.ForwardRules, actual.ForwardRules);
    }
}
