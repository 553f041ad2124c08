using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Routing.Agent.Datastore.Memory;
using Routing.Agent.Datastore.Store;
using Routing.Agent.PolicyRules;
using Routing.Benchmarks.Measuring;
using Routing.Dataplane.Commands;
using Routing.Dataplane.Ipsets;
using Routing.Dataplane.Iptables;
using Routing.Dataplane.Namespaces;
using Routing.Policy.Compilation;

namespace Routing.Benchmarks.Policy;

/// <summary>
/// The measuring half of bench/policy (a plain timed run: each step spawns ipset and
/// iptables-restore in a namespace the script made). (1) A full apply of a synthetic cluster
/// (<see cref="SyntheticCluster"/>): the agent's path from the datastore's resources (read,
/// compiled, applied through <see cref="PolicyDataplane"/>) against the same sets and rules loaded
/// bare, one <c>ipset restore</c> and one <c>iptables-restore</c>. (2) One pod relabelled in the
/// datastore until the agent's <see cref="PolicyLoop"/> has applied the result.
/// </summary>
public static class PolicyApplyRun
{
    private const string Usage = "usage: policy --ours NETNS --baseline NETNS [--pods 1000] [--policies 500] [--remote 0] [--namespaces 0] [--repeat 5] [--rounds 3]";

    public static async Task<int> RunAsync(string[] args)
    {
        var options = Parse(args);
        if (options is null)
        {
            await Console.Error.WriteLineAsync(Usage);
            return 2;
        }

        var (ours, baseline, podCount, policyCount, remoteCount, namespaceCount, repeat, rounds) = options.Value;
        var cluster = new SyntheticCluster(podCount, policyCount, remoteCount, namespaceCount);
        var store = new MemoryResourceStore();
        foreach (var (key, json) in cluster.All)
        {
            await store.CreateAsync(key, json);
        }

        var oursRunner = new TimedCommandRunner(new ProcessCommandRunner(ours));
        var baselineRunner = new TimedCommandRunner(new ProcessCommandRunner(baseline));
        var compiler = new PolicyCompiler();

        // Warm-up on a small cluster, so that neither side's sample pays for the JIT or a first exec
        // (the published agent is ReadyToRun): enough pods (300) that the read takes its parallel path.
        var warm = new SyntheticCluster(300, 10);
        var warmRuleset = new IncrementalPolicyCompiler(compiler).Compile(new NodePolicyCalculation(SyntheticCluster.NodeName).Calculate(
            Json(warm.Namespaces), Json(warm.Pods), Json(warm.Policies.Where(p => p.Key.Kind == "NetworkPolicy")), Json(warm.Policies.Where(p => p.Key.Kind == "GlobalNetworkPolicy"))).Model);
        // As the agent runs it (PolicyLoops): sets over nfnetlink where the kernel takes them.
        using var oursNamespace = NetworkNamespace.OpenByName(ours);
        using var oursSets = IpsetNetlink.Open(oursNamespace);
        var warmDataplane = new PolicyDataplane(compiler.Options, oursRunner, IptablesBackend.Nft, members: oursSets);
        await warmDataplane.ApplyAsync(warmRuleset);
        await warmDataplane.UninstallAsync();
        await BareAsync(baselineRunner, warmRuleset);
        await BareClearAsync(baselineRunner);

        // (1) Full apply: resources → model → ruleset → kernel, ours then bare, in rounds; the
        // first is the agent's first apply (what the small warm-up did not run is JIT-compiled in
        // it), the medians are steadier on a shared machine.
        var clock = Stopwatch.StartNew();
        var calculation = new NodePolicyCalculation(SyntheticCluster.NodeName);
        double read = 0, compiled = 0, oursFull = 0, baselineSets = 0, baselineRules = 0;
        PolicyRuleset ruleset = warmRuleset;
        var oursRounds = new List<double>();
        var bareRounds = new List<double>();
        for (var round = 0; round < rounds; round++)
        {
            // A new calculation each round: it keeps what it parsed, and an agent's first apply has nothing kept.
            calculation = new NodePolicyCalculation(SyntheticCluster.NodeName);
            var dataplane = new PolicyDataplane(compiler.Options, oursRunner, IptablesBackend.Nft, members: oursSets);
            oursRunner.Take();
            clock.Restart();
            // As PolicyLoop does for a whole calculation: the kernel reads overlap the read and compile.
            _ = dataplane.ReadKernelAsync();
            var result = calculation.Calculate(
                (await store.ListAsync("Namespace")).Items,
                (await store.ListAsync("Pod")).Items,
                (await store.ListAsync("NetworkPolicy")).Items,
                (await store.ListAsync("GlobalNetworkPolicy")).Items);
            var roundRead = clock.Elapsed.TotalSeconds;
            // As the loop compiles and applies (PolicyLoop): its first compile is a whole one, with
            // what a relabel reuses kept, and its sets load as they are made.
            var roundCompiled = 0.0;
            var (roundRuleset, _) = await dataplane.CompileAndApplyAsync(made =>
            {
                var compiled = new IncrementalPolicyCompiler(compiler).Compile(result.Model, made);
                roundCompiled = clock.Elapsed.TotalSeconds;
                return compiled;
            });
            var roundFull = clock.Elapsed.TotalSeconds;
            await Console.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"full apply {round + 1}: read {roundRead * 1000:0} ms, compile {(roundCompiled - roundRead) * 1000:0} ms, apply {(roundFull - roundCompiled) * 1000:0} ms; ran: {oursRunner.Take()}"));
            if (result.Problems.Count > 0)
            {
                throw new InvalidOperationException("the synthetic cluster has invalid resources: " + string.Join("; ", result.Problems));
            }

            var (sets, rules) = await BareAsync(baselineRunner, roundRuleset);
            await Console.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"bare {round + 1}: ipset restore {sets * 1000:0} ms, iptables-restore {rules * 1000:0} ms"));
            oursRounds.Add(roundFull);
            bareRounds.Add(sets + rules);
            if (round == 0)
            {
                (read, compiled, oursFull, baselineSets, baselineRules, ruleset) = (roundRead, roundCompiled, roundFull, sets, rules, roundRuleset);
            }

            await dataplane.UninstallAsync();
            await BareClearAsync(baselineRunner);
        }

        var baselineFull = baselineSets + baselineRules;
        var oursMedian = Samples.Median(oursRounds);
        var bareMedian = Samples.Median(bareRounds);

        // (2) One relabel through the datastore, until the loop has applied it.
        var samples = new List<double>();
        var loopDataplane = new PolicyDataplane(compiler.Options, oursRunner, IptablesBackend.Nft, members: oursSets);
        var loop = new PolicyLoop(SyntheticCluster.NodeName, store, loopDataplane, compiler, NullLogger.Instance);
        var applied = new SemaphoreSlim(0);
        loop.Applied += (_, _) => applied.Release();
        using var stop = new CancellationTokenSource();
        var running = loop.RunAsync(stop.Token);
        if (!await applied.WaitAsync(TimeSpan.FromMinutes(5)))
        {
            throw new InvalidOperationException("the policy loop did not apply the cluster: " + loop.Status);
        }

        oursRunner.Take();

        // Local pods first (index among the node's pods), then pods of the other node.
        var remoteSamples = new List<double>();
        for (var r = 1; r <= repeat * (remoteCount > 0 ? 2 : 1); r++)
        {
            var remote = r > repeat;
            var index = remote ? podCount + (r * 7 % remoteCount) : r * 7 % podCount;
            // A remote pod takes the app a policy of its namespace names as a peer (policy j is in
            // namespace j mod N and picks app j+1), so that it moves into a set of pods.
            var ns = index % cluster.NamespaceCount;
            var app = !remote ? SyntheticCluster.App(index + r)
                : SyntheticCluster.App(ns + 1) != SyntheticCluster.App(index) ? SyntheticCluster.App(ns + 1) : SyntheticCluster.App(ns + cluster.NamespaceCount + 1);
            var (key, json) = cluster.Pod(index, app);
            var current = await store.GetAsync(key) ?? throw new InvalidOperationException($"{key} is gone");
            clock.Restart();
            await store.UpdateAsync(key, json, current.Revision);
            if (!await applied.WaitAsync(TimeSpan.FromMinutes(1)))
            {
                throw new InvalidOperationException("the relabel was not applied: " + loop.Status);
            }

            (remote ? remoteSamples : samples).Add(clock.Elapsed.TotalSeconds);
            await Console.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"relabel {r} ({(remote ? "remote" : "local")} pod): {clock.Elapsed.TotalMilliseconds:0.0} ms, ran: {oursRunner.Take()}; member writes over nfnetlink so far: {loopDataplane.NetlinkMemberWrites}"));
        }

        await stop.CancelAsync();
        await running;
        var relabel = Samples.Median(samples);
        var relabelRemote = remoteSamples.Count > 0 ? Samples.Median(remoteSamples) : double.NaN;

        // The pure part of a relabel, warm, as the loop does it: the last result with the pod changed,
        // then the ruleset incrementally from the last one.
        var pure = new List<double>();
        var incremental = new IncrementalPolicyCompiler(compiler);
        var lastResult = calculation.Calculate(
            (await store.ListAsync("Namespace")).Items,
            (await store.ListAsync("Pod")).Items,
            (await store.ListAsync("NetworkPolicy")).Items,
            (await store.ListAsync("GlobalNetworkPolicy")).Items);
        incremental.Compile(lastResult.Model);
        for (var r = 0; r < repeat; r++)
        {
            var index = (r * 11) + 3;
            var (key, json) = cluster.Pod(index % podCount, SyntheticCluster.App(index + 1));
            var current = await store.GetAsync(key) ?? throw new InvalidOperationException($"{key} is gone");
            await store.UpdateAsync(key, json, current.Revision);
            var changed = await store.GetAsync(key);
            clock.Restart();
            lastResult = calculation.Update(lastResult, [new KeyValuePair<ResourceKey, StoredResource?>(key, changed)]);
            var model = clock.Elapsed.TotalSeconds;
            incremental.Compile(lastResult.Model);
            pure.Add(clock.Elapsed.TotalSeconds);
            await Console.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"relabel model {model * 1000:0.0} ms + compile {(pure[^1] - model) * 1000:0.0} ms (incremental: {incremental.LastWasIncremental})"));
        }

        var relabelCompile = Samples.Median(pure);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"policy: {podCount} pods on the node and {remoteCount} on another in {cluster.NamespaceCount} namespaces, {policyCount} policies: {ruleset.RuleCount} rules in {ruleset.Chains.Count} chains, {ruleset.Sets.Count} ipsets"));
        Console.WriteLine();
        Console.WriteLine("| step | seconds |");
        Console.WriteLine("|---|---|");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| ours: read the resources | {read:0.0000} |"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| ours: compile | {compiled - read:0.0000} |"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| ours: apply (ipsets, iptables) | {oursFull - compiled:0.0000} |"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| ours: full apply (read, compile, ipsets, iptables) | {oursFull:0.0000} |"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| bare: ipset restore | {baselineSets:0.0000} |"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| bare: iptables-restore | {baselineRules:0.0000} |"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| full apply over {rounds} rounds, median: ours / bare | {oursMedian:0.0000} / {bareMedian:0.0000} (ratio {oursMedian / bareMedian:0.00}) |"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| ours: one local pod relabelled → applied (median of {repeat}) | {relabel:0.0000} |"));
        if (remoteSamples.Count > 0)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| ours: one remote pod relabelled → applied (median of {repeat}) | {relabelRemote:0.0000} |"));
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| of which model + incremental compile, warm (median of {repeat}) | {relabelCompile:0.0000} |"));
        Console.WriteLine();
        var rulesPerPod = (double)ruleset.RuleCount / podCount;
        var peakRss = PeakRssMebibytes();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"rules per local pod (all rules / local pods): {rulesPerPod:0.0}; peak RSS of this process (the agent's path and the bench together): {peakRss:0} MiB"));
        Console.WriteLine();
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"{{\"bench\":\"policy\",\"pods\":{podCount},\"policies\":{policyCount},\"rules\":{ruleset.RuleCount},\"sets\":{ruleset.Sets.Count},\"ours_full_s\":{oursFull:0.####},\"ours_compile_s\":{compiled:0.####},\"read_s\":{read:0.####},\"compile_s\":{compiled - read:0.####},\"apply_s\":{oursFull - compiled:0.####},\"rules_per_local_pod\":{rulesPerPod:0.#},\"peak_rss_mib\":{peakRss:0},\"namespaces\":{cluster.NamespaceCount},\"baseline_full_s\":{baselineFull:0.####},\"baseline_iptables_s\":{baselineRules:0.####},\"ratio\":{oursFull / baselineFull:0.###},\"rounds\":{rounds},\"ours_full_median_s\":{oursMedian:0.####},\"baseline_full_median_s\":{bareMedian:0.####},\"ratio_median\":{oursMedian / bareMedian:0.###},\"ratio_vs_iptables_only\":{oursFull / baselineRules:0.###},\"relabel_ms\":{relabel * 1000:0.##},\"remote\":{remoteCount},\"relabel_remote_ms\":{(remoteSamples.Count > 0 ? (relabelRemote * 1000).ToString("0.##", CultureInfo.InvariantCulture) : "null")},\"relabel_compile_ms\":{relabelCompile * 1000:0.##},\"repeat\":{repeat}}}"));
        return 0;
    }

    /// <summary>VmHWM of this process, in MiB (NaN where /proc is missing).</summary>
    private static double PeakRssMebibytes()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                return long.Parse(line.AsSpan(6).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture) / 1024.0;
            }
        }

        return double.NaN;
    }

    private static IEnumerable<Routing.Agent.Datastore.Store.StoredResource> Json(IEnumerable<(Routing.Agent.Datastore.Store.ResourceKey Key, string Json)> resources) =>
        resources.Select(r => new Routing.Agent.Datastore.Store.StoredResource(r.Key, r.Json, "1"));

    /// <summary>The same sets and rules loaded the plain way: one ipset restore, then one full iptables-restore.</summary>
    private static async Task<(double Sets, double Rules)> BareAsync(TimedCommandRunner runner, PolicyRuleset ruleset)
    {
        var sets = new StringBuilder();
        foreach (var set in ruleset.Sets)
        {
            var type = set.Type switch
            {
                CompiledSetType.Addresses => "hash:ip",
                CompiledSetType.Networks => "hash:net",
                CompiledSetType.Interfaces => "hash:net,iface",
                _ => "hash:ip,port",
            };
            sets.Append(CultureInfo.InvariantCulture, $"create {set.Name} {type} family inet\n");
            foreach (var member in set.Members)
            {
                sets.Append(CultureInfo.InvariantCulture, $"add {set.Name} {member}\n");
            }
        }

        var clock = Stopwatch.StartNew();
        Check(await runner.RunAsync("ipset", ["restore"], sets.ToString()), "ipset restore");
        var setSeconds = clock.Elapsed.TotalSeconds;
        var chains = ruleset.Chains.Select(c => new IptablesChain(c.Name, c.Rules.Select(r => new IptablesRule(r.Spec, r.Comment))));
        var insertions = new Dictionary<string, IptablesChain> { ["FORWARD"] = new("FORWARD", ruleset.ForwardRules.Select(r => new IptablesRule(r.Spec, r.Comment))) };
        var script = IptablesRestoreScript.RenderFull("filter", chains, insertions, "rtp-h:");
        clock.Restart();
        Check(await runner.RunAsync(IptablesCommands.Restore(IptablesBackend.Nft, System.Net.Sockets.AddressFamily.InterNetwork), [], script), "iptables-restore");
        return (setSeconds, clock.Elapsed.TotalSeconds);
    }

    private static async Task BareClearAsync(TimedCommandRunner runner)
    {
        Check(await runner.RunAsync(IptablesCommands.Restore(IptablesBackend.Nft, System.Net.Sockets.AddressFamily.InterNetwork), [], "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n"), "iptables-restore");
        // The namespace is the bench's own: every set in it goes.
        Check(await runner.RunAsync("ipset", ["destroy"]), "ipset destroy");
    }

    private static void Check(CommandOutput output, string what)
    {
        if (!output.Succeeded)
        {
            throw new InvalidOperationException($"{what} failed: {output.StandardError}");
        }
    }

    private static (string Ours, string Baseline, int Pods, int Policies, int Remote, int Namespaces, int Repeat, int Rounds)? Parse(string[] args)
    {
        string? ours = null, baseline = null;
        int pods = 1000, policies = 500, remote = 0, namespaces = 0, repeat = 5, rounds = 3;
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            var value = args[i + 1];
            switch (args[i])
            {
                case "--ours": ours = value; break;
                case "--baseline": baseline = value; break;
                case "--pods" when int.TryParse(value, CultureInfo.InvariantCulture, out var n) && n > 0 && n <= 60_000: pods = n; break;
                case "--policies" when int.TryParse(value, CultureInfo.InvariantCulture, out var p) && p > 0: policies = p; break;
                case "--remote" when int.TryParse(value, CultureInfo.InvariantCulture, out var o) && o >= 0 && o <= 60_000: remote = o; break;
                case "--namespaces" when int.TryParse(value, CultureInfo.InvariantCulture, out var s) && s >= 0 && s <= 10_000: namespaces = s; break;
                case "--rounds" when int.TryParse(value, CultureInfo.InvariantCulture, out var f) && f > 0: rounds = f; break;
                case "--repeat" when int.TryParse(value, CultureInfo.InvariantCulture, out var r) && r > 0: repeat = r; break;
                default: return null;
            }
        }

        return args.Length % 2 == 0 && ours is not null && baseline is not null && pods + remote <= 60_000 ? (ours, baseline, pods, policies, remote, namespaces, repeat, rounds) : null;
    }
}
