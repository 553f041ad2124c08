using System.Diagnostics;
using System.Globalization;
using Routing.Benchmarks.Measuring;
using Routing.Dataplane.Commands;
using Routing.Dataplane.Iptables;

namespace Routing.Benchmarks.Dataplane;

/// <summary>
/// The measuring half of bench/iptables-apply (a plain timed run, not BenchmarkDotNet: each step
/// spawns iptables-restore in a namespace, milliseconds to seconds per sample). Loads N rules in C
/// chains through <see cref="IptablesTable"/>, then changes one chain at a time, against a plain
/// full <c>iptables-restore</c> of the same ruleset in a second namespace.
/// </summary>
public static class IptablesApplyRun
{
    private const string Usage = "usage: iptables-apply --ours NETNS --baseline NETNS [--rules 10000] [--chains 100] [--backend nft|legacy] [--repeat 5]";

    public static async Task<int> RunAsync(string[] args)
    {
        var options = Parse(args);
        if (options is null)
        {
            await Console.Error.WriteLineAsync(Usage);
            return 2;
        }

        var (ours, baseline, rules, chains, backend, repeat) = options.Value;
        var ruleset = new SyntheticRuleset(rules, chains);
        var oursRunner = new ProcessCommandRunner(ours);
        var baselineRunner = new ProcessCommandRunner(baseline);
        var table = new IptablesTable(new IptablesTableOptions { Table = "filter", Backend = backend, RefreshInterval = null }, oursRunner);
        var restore = IptablesCommands.Restore(backend, System.Net.Sockets.AddressFamily.InterNetwork);

        // Warm-up, so neither side's first sample pays for the JIT: both code paths once on a small
        // ruleset (ours under another prefix, removed again; the baseline's is replaced anyway).
        var small = new SyntheticRuleset(chains, chains);
        var warm = new IptablesTable(new IptablesTableOptions { Table = "filter", Backend = backend, ChainPrefix = "rw-", HashCommentPrefix = "rw:" }, oursRunner);
        warm.SetChain(new IptablesChain("rw-warm", small.Chains[0].Rules));
        warm.SetInsertedRules("FORWARD", [new IptablesRule("-j rw-warm")]);
        await warm.ApplyAsync();
        await warm.UninstallAsync();
        await FullRestoreAsync(baselineRunner, restore, small.Chains, small);

        // Initial load: one iptables-save of the (empty) table, then everything in one restore.
        var clock = Stopwatch.StartNew();
        table.ReplaceChains(ruleset.Chains);
        table.SetInsertedRules("FORWARD", ruleset.Jumps.Rules);
        await table.ApplyAsync();
        var oursInitial = clock.Elapsed.TotalSeconds;

        clock.Restart();
        await FullRestoreAsync(baselineRunner, restore, ruleset.Chains, ruleset);
        var baselineInitial = clock.Elapsed.TotalSeconds;

        // Nothing changed: ours starts no process; the baseline has no way to know and restores all.
        clock.Restart();
        var unchanged = await table.ApplyAsync();
        var oursUnchanged = clock.Elapsed.TotalSeconds;
        if (unchanged.Restored || unchanged.ReadKernel)
        {
            throw new InvalidOperationException($"an apply with nothing new did work: {unchanged}");
        }

        clock.Restart();
        await FullRestoreAsync(baselineRunner, restore, ruleset.Chains, ruleset);
        var baselineUnchanged = clock.Elapsed.TotalSeconds;

        // One chain changes (a different one each time).
        var oursChange = new List<double>();
        var baselineChange = new List<double>();
        var current = (IptablesChain[])ruleset.Chains.Clone();
        for (var g = 1; g <= repeat; g++)
        {
            var index = (g * 37) % chains;
            current[index] = ruleset.Chain(index, g);

            clock.Restart();
            table.SetChain(current[index]);
            var result = await table.ApplyAsync();
            oursChange.Add(clock.Elapsed.TotalSeconds);
            if (result.ChainsWritten != 1 || result.ReadKernel)
            {
                throw new InvalidOperationException($"a one-chain change did more than write one chain: {result}");
            }

            clock.Restart();
            await FullRestoreAsync(baselineRunner, restore, current, ruleset);
            baselineChange.Add(clock.Elapsed.TotalSeconds);
        }

        var oursCount = await CountOurRulesAsync(oursRunner, backend);
        var baselineCount = await CountOurRulesAsync(baselineRunner, backend);
        var expected = ruleset.RuleCount + chains;
        if (oursCount != expected || baselineCount != expected)
        {
            throw new InvalidOperationException($"expected {expected} rules of ours in each namespace, found {oursCount} (ours) and {baselineCount} (baseline)");
        }

        var ours1 = Samples.Median(oursChange);
        var base1 = Samples.Median(baselineChange);
        var backendName = backend == IptablesBackend.Nft ? "nft" : "legacy";
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"iptables-apply: {ruleset.RuleCount} rules in {chains} chains (+{chains} jumps in FORWARD), {backendName} backend, median of {repeat} one-chain changes"));
        Console.WriteLine();
        Console.WriteLine("| step | IptablesTable (s) | full iptables-restore (s) | ratio |");
        Console.WriteLine("|---|---|---|---|");
        Row("initial load", oursInitial, baselineInitial);
        Row("nothing changed", oursUnchanged, baselineUnchanged);
        Row("one chain changed", ours1, base1);
        Console.WriteLine();
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"{{\"bench\":\"iptables-apply\",\"n\":{ruleset.RuleCount},\"chains\":{chains},\"backend\":\"{backendName}\",\"repeat\":{repeat},\"ours_s\":{ours1:0.####},\"baseline_s\":{base1:0.####},\"ratio\":{ours1 / base1:0.####},\"ours_initial_s\":{oursInitial:0.####},\"baseline_initial_s\":{baselineInitial:0.####},\"ours_unchanged_s\":{oursUnchanged:0.######},\"baseline_unchanged_s\":{baselineUnchanged:0.####}}}"));
        return 0;
    }

    private static void Row(string step, double ours, double baseline) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {step} | {ours:0.0000} | {baseline:0.0000} | {ours / baseline:0.000} |"));

    /// <summary>The plain way: render everything and let iptables-restore replace the whole table.</summary>
    private static async Task FullRestoreAsync(ProcessCommandRunner runner, string restore, IEnumerable<IptablesChain> chains, SyntheticRuleset ruleset)
    {
        var script = IptablesRestoreScript.RenderFull("filter", chains, ruleset.Insertions, "rt:");
        var output = await runner.RunAsync(restore, [], script);
        if (!output.Succeeded)
        {
            throw new InvalidOperationException($"{restore} failed: {output.StandardError}");
        }
    }

    private static async Task<int> CountOurRulesAsync(ProcessCommandRunner runner, IptablesBackend backend)
    {
        var output = await runner.RunAsync(IptablesCommands.Save(backend, System.Net.Sockets.AddressFamily.InterNetwork), ["-t", "filter"]);
        return output.StandardOutput.Split('\n').Count(l => l.StartsWith("-A ", StringComparison.Ordinal) && l.Contains("--comment \"rt:", StringComparison.Ordinal));
    }

    private static (string Ours, string Baseline, int Rules, int Chains, IptablesBackend Backend, int Repeat)? Parse(string[] args)
    {
        string? ours = null, baseline = null;
        int rules = 10_000, chains = 100, repeat = 5;
        var backend = IptablesBackend.Nft;
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            var value = args[i + 1];
            switch (args[i])
            {
                case "--ours": ours = value; break;
                case "--baseline": baseline = value; break;
                case "--rules" when int.TryParse(value, CultureInfo.InvariantCulture, out var n) && n > 0: rules = n; break;
                case "--chains" when int.TryParse(value, CultureInfo.InvariantCulture, out var c) && c > 0: chains = c; break;
                case "--repeat" when int.TryParse(value, CultureInfo.InvariantCulture, out var r) && r > 0: repeat = r; break;
                case "--backend" when value is "nft" or "legacy": backend = value == "nft" ? IptablesBackend.Nft : IptablesBackend.Legacy; break;
                default: return null;
            }
        }

        return args.Length % 2 == 0 && ours is not null && baseline is not null && rules >= chains
            ? (ours, baseline, rules, chains, backend, repeat)
            : null;
    }
}
