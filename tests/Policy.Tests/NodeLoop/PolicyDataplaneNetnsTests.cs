using Routing.Agent.PolicyRules;
using Routing.Dataplane.Commands;
using Routing.Dataplane.Ipsets;
using Routing.Dataplane.Namespaces;
using Routing.Policy.Compilation;
using Routing.Policy.Model;
using Routing.TestKit;
using Routing.TestKit.Namespaces;
using static Routing.Policy.Tests.Kit.Cluster;

namespace Routing.Policy.Tests.NodeLoop;

/// <summary>
/// <see cref="PolicyDataplane.CompileAndApplyAsync"/> in a namespace of its own, against the real
/// iptables and ipset: sets loaded while the compile goes on end as an apply of the whole ruleset
/// would leave them, and a compile that fails part way leaves the rules and the sets they use as they were.
/// </summary>
[Trait("Category", "Netns")]
public sealed class PolicyDataplaneNetnsTests
{
    private static readonly PolicyCompiler Compiler = new();

    private static readonly NetworkPolicy[] Policies =
    [
        IngressTo("x", "blue-from-red", Select("app", "blue"), NetworkPolicyRule.From(new NetworkPolicyPeer(Select("app", "red"), null))),
        IngressTo("y", "red-from-x", Select("app", "red"), NetworkPolicyRule.From(new NetworkPolicyPeer(Select("app", "blue"), SelectNamespace("x")))),
    ];

    [SkippableFact]
    public async Task Sets_loaded_during_the_compile_and_then_the_rules_are_what_a_plain_apply_writes()
    {
        TestRun.RequireNamespaces();
        await using var ours = await NetNs.CreateAsync("pdpours");
        await using var plain = await NetNs.CreateAsync("pdpplain");
        var model = new PolicyModel(Namespaces(), Pods(), Policies);
        using var handle = NetworkNamespace.Open(ours.Path);
        using var members = IpsetNetlink.Open(handle);
        var dataplane = new PolicyDataplane(Compiler.Options, new ProcessCommandRunner(ours.Name), members: members);
        var handedOver = 0;

        _ = dataplane.ReadKernelAsync();
        var (ruleset, applied) = await dataplane.CompileAndApplyAsync(made => new IncrementalPolicyCompiler(Compiler).Compile(model, set =>
        {
            handedOver++;
            made(set);
        }));
        await new PolicyDataplane(Compiler.Options, new ProcessCommandRunner(plain.Name)).ApplyAsync(Compiler.Compile(model));

        Assert.Equal(ruleset.Sets.Count, handedOver);
        Assert.Equal(ruleset.Sets.Count, applied.SetsChanged);
        Assert.Equal(Sets(await ours.OutputOfAsync("ipset", "save")), Sets(await plain.OutputOfAsync("ipset", "save")));
        Assert.Equal(Rules(await ours.OutputOfAsync("iptables-nft-save", "-t", "filter")), Rules(await plain.OutputOfAsync("iptables-nft-save", "-t", "filter")));
    }

    [SkippableFact]
    public async Task A_compile_that_fails_part_way_leaves_the_rules_and_their_sets_and_the_next_apply_drops_its_sets()
    {
        TestRun.RequireNamespaces();
        await using var ns = await NetNs.CreateAsync("pdpfail");
        var first = new PolicyModel(Namespaces(), Pods(), Policies[..1]);
        var dataplane = new PolicyDataplane(Compiler.Options, new ProcessCommandRunner(ns.Name));
        await dataplane.ApplyAsync(Compiler.Compile(first));
        var rulesBefore = Rules(await ns.OutputOfAsync("iptables-nft-save", "-t", "filter"));
        var inUse = Compiler.Compile(first).Sets.Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        var setsInUseBefore = Sets(await ns.OutputOfAsync("ipset", "save")).Where(l => inUse.Contains(l.Split(' ')[1])).ToArray();

        // Pods labelled so that both policies select some: the first policy's sets gain members.
        var labelled = NamespaceNames.SelectMany(n => PodNames.Select(pod => (n, pod) switch
        {
            ("x", "a") => Pod(n, pod, Labels("app", "blue")),
            ("y", "b") or ("x", "c") => Pod(n, pod, Labels("app", "red")),
            _ => Pod(n, pod),
        }));
        var second = new PolicyModel(Namespaces(), labelled, Policies);
        await Assert.ThrowsAsync<InvalidOperationException>(() => dataplane.CompileAndApplyAsync(made =>
        {
            new IncrementalPolicyCompiler(Compiler).Compile(second, made);
            throw new InvalidOperationException("the compile failed after making its sets");
        }));
        Assert.Equal(rulesBefore, Rules(await ns.OutputOfAsync("iptables-nft-save", "-t", "filter")));

        // The sets the rules in place use kept their members (the second ruleset selects more pods).
        Assert.Equal(setsInUseBefore, Sets(await ns.OutputOfAsync("ipset", "save")).Where(l => inUse.Contains(l.Split(' ')[1])).ToArray());

        // Back to the first ruleset: the sets only the failed compile wanted are gone.
        await dataplane.ApplyAsync(Compiler.Compile(first));
        var sets = (await ns.OutputOfAsync("ipset", "list", "-n")).Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal);
        Assert.Equal(Compiler.Compile(first).Sets.Select(s => s.Name).Order(StringComparer.Ordinal), sets);
    }

    /// <summary>Each set's name and type, and its members, sorted (a set's initval differs from set to set).</summary>
    private static string[] Sets(string saved) =>
        saved.Split('\n').Select(l => l.StartsWith("create ", StringComparison.Ordinal) ? string.Join(' ', l.Split(' ').Take(3)) : l)
            .Where(l => l.Length > 0).Order(StringComparer.Ordinal).ToArray();

    /// <summary>The rules of a saved table, without the counters and comments lines that differ between runs.</summary>
    private static string[] Rules(string saved) =>
        saved.Split('\n').Where(l => l.StartsWith('-') || l.StartsWith(':')).Select(l => l.Split(" [", 2)[0]).ToArray();
}
