using System.Globalization;
using System.Text;

namespace Routing.Dataplane.Iptables;

/// <summary>
/// Renders an <see cref="IptablesPlan"/> as input for <c>iptables-restore --noflush</c>: one
/// table, one COMMIT, so the kernel takes all of it or none of it.
/// </summary>
/// <remarks>
/// Order matters within the transaction: chains are declared first (which creates new ones and
/// flushes the ones rewritten or about to go, dropping their references to each other), then our
/// rules leave the built-in chains, then everything wanted is written, and chains are deleted last,
/// when nothing of ours points at them any more.
/// </remarks>
public static class IptablesRestoreScript
{
    public static string Render(string table, IptablesPlan plan, string hashCommentPrefix)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(plan);
        var text = new StringBuilder(EstimateLength(plan));
        text.Append('*').Append(table).Append('\n');
        foreach (var chain in plan.ChainsToWrite)
        {
            text.Append(':').Append(chain.Name).Append(" - [0:0]\n");
        }

        foreach (var name in plan.ChainsToDelete)
        {
            text.Append(':').Append(name).Append(" - [0:0]\n");
        }

        foreach (var repair in plan.BuiltInRepairs)
        {
            foreach (var line in repair.LinesToDelete)
            {
                text.Append("-D ").Append(repair.Chain).Append(' ').Append(line.ToString(CultureInfo.InvariantCulture)).Append('\n');
            }
        }

        foreach (var repair in plan.BuiltInRepairs)
        {
            var rules = repair.Inserted.Rules;
            for (var i = 0; i < rules.Count; i++)
            {
                text.Append("-I ").Append(repair.Chain).Append(' ').Append((i + 1).ToString(CultureInfo.InvariantCulture)).Append(' ');
                AppendRule(text, hashCommentPrefix, repair.Inserted.Hashes[i], rules[i]);
            }
        }

        foreach (var chain in plan.ChainsToWrite)
        {
            var hashes = chain.Hashes;
            for (var i = 0; i < chain.Rules.Count; i++)
            {
                text.Append("-A ").Append(chain.Name).Append(' ');
                AppendRule(text, hashCommentPrefix, hashes[i], chain.Rules[i]);
            }
        }

        foreach (var name in plan.ChainsToDelete)
        {
            text.Append("-X ").Append(name).Append('\n');
        }

        text.Append("COMMIT\n");
        return text.ToString();
    }

    /// <summary>
    /// Renders a whole ruleset as one plain restore (every chain declared and written): what a
    /// tool without a diff would feed iptables-restore each time; the benchmarks' baseline.
    /// </summary>
    public static string RenderFull(string table, IEnumerable<IptablesChain> chains, IReadOnlyDictionary<string, IptablesChain> insertions, string hashCommentPrefix)
    {
        ArgumentNullException.ThrowIfNull(insertions);
        var repairs = insertions.Values.Select(c => new BuiltInChainRepair(c.Name, [], c)).ToArray();
        return Render(table, new IptablesPlan([.. chains], [], repairs), hashCommentPrefix);
    }

    private static void AppendRule(StringBuilder text, string hashCommentPrefix, string hash, IptablesRule rule) =>
        text.Append("-m comment --comment \"").Append(hashCommentPrefix).Append(hash).Append("\" ").Append(rule.Body).Append('\n');

    private static int EstimateLength(IptablesPlan plan)
    {
        var rules = plan.ChainsToWrite.Sum(c => c.Rules.Count) + plan.BuiltInRepairs.Sum(r => r.Inserted.Rules.Count + r.LinesToDelete.Count);
        return 64 + (rules * 96) + ((plan.ChainsToWrite.Count + plan.ChainsToDelete.Count) * 40);
    }
}
