using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Routing.Agent.Datastore.Memory;
using Routing.Agent.Datastore.Store;
using Routing.Agent.Services.Proxy;
using Routing.Agent.Services.Reading;
using Routing.Agent.Services.Rules;
using Routing.Benchmarks.Measuring;
using Routing.Dataplane.Commands;
using Routing.Dataplane.Iptables;

namespace Routing.Benchmarks.Services;

/// <summary>
/// The measuring half of bench/services: N Services with E endpoints each in an in-memory datastore,
/// the agent's <see cref="ServiceProxy"/> syncing them into the nat and filter tables of one
/// namespace (list, parse, compile, iptables-save, iptables-restore), against a bare
/// <c>iptables-restore</c> of the very same rules in another; then one endpoint of one service
/// replaced, timed from the datastore write to the rules applied.
/// </summary>
public static class ServicesRun
{
    private const string Usage = "usage: services --ours NETNS --baseline NETNS [--services 10000] [--endpoints 5] [--backend nft|legacy] [--repeat 5]";

    public static async Task<int> RunAsync(string[] args)
    {
        if (Parse(args) is not var (ours, baseline, count, endpoints, backend, repeat))
        {
            await Console.Error.WriteLineAsync(Usage);
            return 2;
        }

        var store = new MemoryResourceStore();
        for (var i = 0; i < count; i++)
        {
            await store.CreateAsync(new ResourceKey(ServiceResourceReader.ServiceKind, "bench", Name(i)), Service(i));
            await store.CreateAsync(new ResourceKey(ServiceResourceReader.EndpointSliceKind, "bench", Name(i)), Slice(i, endpoints, 0));
        }

        // The baseline: the same services in kube-proxy's structure (a chain per endpoint), compiled
        // once, restored whole into an empty namespace. The proxy inlines endpoints (fewer chains and
        // rules), so the rule count it must reach is that of its own compile.
        var allServices = (await store.ListAsync(ServiceResourceReader.ServiceKind)).Items.Select(r => ServiceResourceReader.ReadService(r.Json)).ToArray();
        var allSlices = (await store.ListAsync(ServiceResourceReader.EndpointSliceKind)).Items.Select(r => ServiceResourceReader.ReadEndpointSlice(r.Json)).ToArray();
        var rules = ServiceRulesCompiler.Compile(allServices, allSlices, new ServiceRulesOptions { NodeName = "node1", ClusterCidr = "10.244.0.0/16", InlineEndpoints = false });
        var expected = ServiceRulesCompiler.Compile(allServices, allSlices, new ServiceRulesOptions { NodeName = "node1", ClusterCidr = "10.244.0.0/16" });
        var expectedRules = expected.NatChains.Concat(expected.FilterChains).Sum(c => c.Rules.Count) + expected.NatJumps.Values.Concat(expected.FilterJumps.Values).Sum(j => j.Count);
        var baselineChains = rules.NatChains.Count + rules.FilterChains.Count;
        var oursChains = expected.NatChains.Count + expected.FilterChains.Count;
        var natScript = IptablesRestoreScript.RenderFull("nat", rules.NatChains, Jumps(rules.NatJumps), "rtsvc:");
        var filterScript = IptablesRestoreScript.RenderFull("filter", rules.FilterChains, Jumps(rules.FilterJumps), "rtsvc:");
        var restore = IptablesCommands.Restore(backend, AddressFamily.InterNetwork);
        var baselineRunner = new ProcessCommandRunner(baseline);
        // A plain restore replaces whole tables: the floor, and the baseline of the ratio. With
        // --noflush (what kube-proxy and the agent must use, for they share the tables with others)
        // nft's restore grows much faster than linearly with one transaction's size; it is measured
        // too where that stays affordable (up to 2,000 services).
        var clock = Stopwatch.StartNew();
        await RestoreAsync(baselineRunner, restore, natScript, []);
        await RestoreAsync(baselineRunner, restore, filterScript, []);
        var baselineFull = clock.Elapsed.TotalSeconds;
        double? baselineNoflush = null;
        if (count <= 2000)
        {
            await RestoreAsync(baselineRunner, restore, "*nat\nCOMMIT\n*filter\nCOMMIT\n", []);
            clock.Restart();
            await RestoreAsync(baselineRunner, restore, natScript, ["--noflush"]);
            await RestoreAsync(baselineRunner, restore, filterScript, ["--noflush"]);
            baselineNoflush = clock.Elapsed.TotalSeconds;
        }

        // Ours: from the proxy's start to its first write done.
        var applied = new SemaphoreSlim(0);
        var last = default(ServiceProxyApplied);
        var proxy = new ServiceProxy(
            new ServiceProxyOptions { NodeName = "node1", ClusterCidrV4 = "10.244.0.0/16", Backend = backend, Coalesce = TimeSpan.Zero },
            store,
            new ProcessCommandRunner(ours),
            NullLogger.Instance);
        proxy.Applied += (_, a) =>
        {
            last = a;
            applied.Release();
        };
        using var stopping = new CancellationTokenSource();
        clock.Restart();
        var run = Task.Run(() => proxy.RunAsync(stopping.Token));
        await applied.WaitAsync();
        var oursFull = clock.Elapsed.TotalSeconds;
        var fullWritten = last!.ChainsWritten;
        await Console.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"full sync: {oursFull:0.000} s, {last.Took.TotalSeconds:0.000} s applying, of which {last.Compiling.TotalSeconds:0.000} s compiling"));

        var changes = new List<double>();
        for (var g = 1; g <= repeat; g++)
        {
            var i = g * 7919 % count;
            var key = new ResourceKey(ServiceResourceReader.EndpointSliceKind, "bench", Name(i));
            var current = await store.GetAsync(key);
            clock.Restart();
            await store.UpdateAsync(key, Slice(i, endpoints, g), current!.Revision);

            // An apply woken before the write (the initial list wakes the proxy more than once)
            // writes nothing: the change is the next one that writes.
            do
            {
                if (!await applied.WaitAsync(TimeSpan.FromSeconds(60)))
                {
                    throw new InvalidOperationException($"an endpoint change was not applied within 60 s: {last}");
                }
            }
            while (last!.ChainsWritten == 0 && last.ChainsDeleted == 0);

            changes.Add(clock.Elapsed.TotalSeconds);
            await Console.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"change {g}: {clock.Elapsed.TotalMilliseconds:0.0} ms from the write, {last.Took.TotalMilliseconds:0.0} ms applying, of which {last.Compiling.TotalMilliseconds:0.0} ms compiling"));
        }

        var oursRules = await CountAsync(new ProcessCommandRunner(ours), backend);
        var baselineRules = await CountAsync(baselineRunner, backend);
        await stopping.CancelAsync();
        await run;

        // The kernel's own floor for such a change: a bare iptables-restore --noflush rewriting one
        // service's chain with the rules it holds, in the same table the proxy wrote (nft validates
        // every chain reachable from the table's base chains on each commit that adds rules).
        var floors = new List<double>();
        var oursRunner = new ProcessCommandRunner(ours);
        for (var g = 1; g <= repeat; g++)
        {
            var script = await ServiceChainScriptAsync(oursRunner, backend, g * 7919 % count);
            clock.Restart();
            await RestoreAsync(oursRunner, restore, script, ["--noflush"]);
            floors.Add(clock.Elapsed.TotalSeconds);
        }

        var floor = Samples.Median(floors);
        var change = Samples.Median(changes);
        var name = backend == IptablesBackend.Nft ? "nft" : "legacy";
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"services: {count} services x {endpoints} endpoints, {name} backend; rules in nat+filter: ours {oursRules} in {oursChains} chains (endpoints inlined), baseline {baselineRules} in {baselineChains} chains (kube-proxy's structure, a chain per endpoint)"));
        Console.WriteLine();
        Console.WriteLine("| step | seconds |");
        Console.WriteLine("|---|---|");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| full sync by the proxy (list, parse, compile, save, restore; {fullWritten} chains) | {oursFull:0.000} |"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| bare iptables-restore of the same services in kube-proxy's structure (nat + filter, whole tables) | {baselineFull:0.000} |"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| the same kube-proxy ruleset with --noflush, in one transaction | {(baselineNoflush is { } b ? b.ToString("0.000", CultureInfo.InvariantCulture) : "not measured (over 2,000 services)")} |"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| one endpoint replaced, datastore write to rules applied (median of {repeat}; last wrote {last.ChainsWritten}, deleted {last.ChainsDeleted}) | {change:0.0000} |"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| the kernel's floor: bare iptables-restore --noflush of one service chain into the same table (median of {repeat}) | {floor:0.0000} |"));
        Console.WriteLine();
        if (oursRules != expectedRules)
        {
            throw new InvalidOperationException($"the proxy's namespace holds {oursRules} rules, its compile has {expectedRules}");
        }

        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"{{\"bench\":\"services\",\"services\":{count},\"endpoints\":{endpoints},\"backend\":\"{name}\",\"rules\":{oursRules},\"chains\":{oursChains},\"baseline\":\"kube-proxy structure, whole-table restore\",\"baseline_rules\":{baselineRules},\"baseline_chains\":{baselineChains},\"full_sync_s\":{oursFull:0.####},\"baseline_restore_s\":{baselineFull:0.####},\"full_sync_ratio\":{oursFull / baselineFull:0.###},\"baseline_noflush_s\":{(baselineNoflush is { } n ? n.ToString("0.####", CultureInfo.InvariantCulture) : "null")},\"endpoint_change_ms\":{change * 1000:0.#},\"endpoint_change_floor_ms\":{floor * 1000:0.#},\"repeat\":{repeat}}}"));
        return 0;
    }

    private static string Name(int i) => "svc" + i.ToString(CultureInfo.InvariantCulture);

    internal static string Service(int i) => JsonSerializer.Serialize(new
    {
        apiVersion = "v1",
        kind = "Service",
        metadata = new { name = Name(i), @namespace = "bench" },
        spec = new
        {
            clusterIP = string.Create(CultureInfo.InvariantCulture, $"10.96.{i / 250}.{(i % 250) + 1}"),
            ports = new[] { new { name = "http", protocol = "TCP", port = 80, targetPort = 8080 } },
        },
    });

    // Endpoint addresses: service i's e-th endpoint; generation g moves the last one to another address.
    internal static string Slice(int i, int endpoints, int generation) => JsonSerializer.Serialize(new
    {
        apiVersion = "discovery.k8s.io/v1",
        kind = "EndpointSlice",
        metadata = new { name = Name(i), @namespace = "bench", labels = new Dictionary<string, string> { ["kubernetes.io/service-name"] = Name(i) } },
        addressType = "IPv4",
        ports = new[] { new { name = "http", protocol = "TCP", port = 8080 } },
        endpoints = Enumerable.Range(0, endpoints).Select(e =>
        {
            var n = (i * endpoints) + e + (e == endpoints - 1 ? generation * 1_000_000 : 0);
            return new
            {
                addresses = new[] { string.Create(CultureInfo.InvariantCulture, $"10.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}") },
                conditions = new { ready = true },
                nodeName = string.Create(CultureInfo.InvariantCulture, $"node{e % 3}"),
            };
        }).ToArray(),
    });

    private static Dictionary<string, IptablesChain> Jumps(IReadOnlyDictionary<string, IReadOnlyList<IptablesRule>> jumps) =>
        jumps.ToDictionary(j => j.Key, j => new IptablesChain(j.Key, j.Value));

    private static async Task RestoreAsync(ProcessCommandRunner runner, string restore, string script, string[] arguments)
    {
        var output = await runner.RunAsync(restore, arguments, script);
        if (!output.Succeeded)
        {
            throw new InvalidOperationException($"{restore} failed: {output.StandardError}");
        }
    }

    // A restore script that rewrites service i's chain with the rules the table holds for it: the chain
    // its ClusterIP jumps to, found in iptables-save's output.
    private static async Task<string> ServiceChainScriptAsync(ProcessCommandRunner runner, IptablesBackend backend, int i)
    {
        var output = await runner.RunAsync(IptablesCommands.Save(backend, AddressFamily.InterNetwork), ["-t", "nat"]);
        var lines = output.StandardOutput.Split('\n');
        var address = string.Create(CultureInfo.InvariantCulture, $" -d 10.96.{i / 250}.{(i % 250) + 1}/32 ");
        var jump = lines.FirstOrDefault(l => l.StartsWith("-A ", StringComparison.Ordinal) && l.Contains(address, StringComparison.Ordinal) && l.Contains(" -j ", StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"no rule for service {i}'s ClusterIP in the proxy's nat table");
        var chain = jump[(jump.LastIndexOf(" -j ", StringComparison.Ordinal) + 4)..].Split(' ')[0];
        var rules = lines.Where(l => l.StartsWith("-A " + chain + " ", StringComparison.Ordinal)).ToArray();
        return "*nat\n:" + chain + " - [0:0]\n" + string.Join('\n', rules) + "\nCOMMIT\n";
    }

    private static async Task<int> CountAsync(ProcessCommandRunner runner, IptablesBackend backend)
    {
        var total = 0;
        foreach (var table in new[] { "nat", "filter" })
        {
            var output = await runner.RunAsync(IptablesCommands.Save(backend, AddressFamily.InterNetwork), ["-t", table]);
            total += output.StandardOutput.Split('\n').Count(l => l.StartsWith("-A ", StringComparison.Ordinal) && (l.Contains("--comment rtsvc:", StringComparison.Ordinal) || l.Contains("--comment \"rtsvc:", StringComparison.Ordinal)));
        }

        return total;
    }

    private static (string Ours, string Baseline, int Services, int Endpoints, IptablesBackend Backend, int Repeat)? Parse(string[] args)
    {
        string? ours = null, baseline = null;
        int services = 10_000, endpoints = 5, repeat = 5;
        var backend = IptablesBackend.Nft;
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            var value = args[i + 1];
            switch (args[i])
            {
                case "--ours": ours = value; break;
                case "--baseline": baseline = value; break;
                case "--services" when int.TryParse(value, CultureInfo.InvariantCulture, out var n) && n is > 0 and <= 60_000: services = n; break;
                case "--endpoints" when int.TryParse(value, CultureInfo.InvariantCulture, out var e) && e is > 0 and <= 200: endpoints = e; break;
                case "--repeat" when int.TryParse(value, CultureInfo.InvariantCulture, out var r) && r > 0: repeat = r; break;
                case "--backend" when value is "nft" or "legacy": backend = value == "nft" ? IptablesBackend.Nft : IptablesBackend.Legacy; break;
                default: return null;
            }
        }

        return args.Length % 2 == 0 && ours is not null && baseline is not null ? (ours, baseline, services, endpoints, backend, repeat) : null;
    }
}
