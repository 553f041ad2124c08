using BenchmarkDotNet.Attributes;
using Routing.Dataplane.Iptables;

namespace Routing.Benchmarks.Dataplane;

/// <summary>
/// The pure half of <see cref="IptablesTable.ApplyAsync"/> for 10,000 rules in 100 chains:
/// hashing a ruleset, parsing its iptables-save, diffing it with one chain changed, and rendering
/// the restore script (the one chain, and everything for comparison).
/// </summary>
[MemoryDiagnoser]
public class IptablesDiffBenchmarks
{
    private SyntheticRuleset ruleset = null!;
    private Dictionary<string, IptablesChain> wanted = null!;
    private string save = string.Empty;
    private IptablesSnapshot kernel = null!;
    private IptablesPlan oneChain = null!;

    [Params(10_000)]
    public int Rules { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        ruleset = new SyntheticRuleset(Rules, 100);
        save = IptablesRestoreScript.RenderFull("filter", ruleset.Chains, ruleset.Insertions, "rt:")
            .Replace("*filter\n", "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n", StringComparison.Ordinal)
            .Replace("-I FORWARD 1 ", "-A FORWARD ", StringComparison.Ordinal);
        kernel = IptablesSaveParser.Parse(save, "filter", "rt-", "rt:");
        wanted = ruleset.Chains.ToDictionary(c => c.Name, StringComparer.Ordinal);
        var changed = ruleset.Chain(42, 1);
        wanted[changed.Name] = changed;
        _ = changed.Hashes;
        oneChain = IptablesDiff.Compute(wanted, ruleset.Insertions, kernel);
    }

    /// <summary>Building and hashing every chain, as a policy recompute hands the table new chain objects.</summary>
    [Benchmark]
    public int HashRuleset()
    {
        var count = 0;
        for (var i = 0; i < ruleset.Chains.Length; i++)
        {
            count += new IptablesChain(ruleset.Chains[i].Name, ruleset.Chains[i].Rules).Hashes.Count;
        }

        return count;
    }

    [Benchmark]
    public IptablesSnapshot ParseSave() => IptablesSaveParser.Parse(save, "filter", "rt-", "rt:");

    [Benchmark]
    public IptablesPlan DiffOneChainChanged() => IptablesDiff.Compute(wanted, ruleset.Insertions, kernel);

    [Benchmark]
    public string RenderOneChain() => IptablesRestoreScript.Render("filter", oneChain, "rt:");

    [Benchmark]
    public string RenderFull() => IptablesRestoreScript.RenderFull("filter", ruleset.Chains, ruleset.Insertions, "rt:");
}
