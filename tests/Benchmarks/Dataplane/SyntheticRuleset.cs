using System.Globalization;
using Routing.Dataplane.Iptables;

namespace Routing.Benchmarks.Dataplane;

/// <summary>
/// A policy-sized filter ruleset: <c>chains</c> chains of ours, each of <c>rules / chains</c>
/// distinct accept rules, and one jump per chain at the top of FORWARD.
/// </summary>
public sealed class SyntheticRuleset
{
    public SyntheticRuleset(int rules, int chains)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(chains, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(rules, chains);
        RulesPerChain = rules / chains;
        Chains = Enumerable.Range(0, chains).Select(i => Chain(i, 0)).ToArray();
        Jumps = new IptablesChain("FORWARD", Chains.Select(c => new IptablesRule($"-j {c.Name}")));
    }

    public int RulesPerChain { get; }

    public IptablesChain[] Chains { get; }

    /// <summary>The rules at the top of FORWARD.</summary>
    public IptablesChain Jumps { get; }

    public int RuleCount => Chains.Length * RulesPerChain;

    public IReadOnlyDictionary<string, IptablesChain> Insertions => new Dictionary<string, IptablesChain> { ["FORWARD"] = Jumps };

    /// <summary>Chain <paramref name="index"/>; another <paramref name="generation"/> changes one of its rules.</summary>
    public IptablesChain Chain(int index, int generation)
    {
        var rules = new IptablesRule[RulesPerChain];
        for (var r = 0; r < rules.Length; r++)
        {
            var port = 1024 + (r == rules.Length / 2 ? generation : 0);
            rules[r] = new IptablesRule(
                string.Create(CultureInfo.InvariantCulture, $"-s 10.{index % 256}.{r / 256}.{r % 256}/32 -p tcp -m tcp --dport {port} -j ACCEPT"),
                string.Create(CultureInfo.InvariantCulture, $"policy {index} rule {r}"));
        }

        return new IptablesChain(string.Create(CultureInfo.InvariantCulture, $"rt-c{index:D4}"), rules);
    }
}
