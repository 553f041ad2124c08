using System.Diagnostics;
using System.Globalization;
using Routing.Agent.Datastore.Etcd;
using Routing.Agent.Datastore.FileStore;
using Routing.Agent.Datastore.Store;
using Routing.Agent.Ipam;
using Routing.Ipam.Allocation;
using Routing.Ipam.Pools;
using Routing.Ipam.Store;

namespace Routing.Benchmarks.Ipam;

/// <summary>
/// The measuring half of bench/ipam (a timed run, not BenchmarkDotNet: the datastore is a real etcd
/// or file). Each phase allocates N addresses per node at once (C requests in flight per node, as the
/// CNI calls of a busy node), then releases them by handle, then gives the blocks back; and one
/// phase times single allocations one after another (the latency a pod's CNI ADD sees).
/// </summary>
public static class IpamThroughputRun
{
    private const string Usage = "usage: ipam [--etcd http://127.0.0.1:PORT] --file DIR [--count 2000] [--concurrency 32] [--latency 300]";

    public static async Task<int> RunAsync(string[] args)
    {
        if (Parse(args) is not { } options)
        {
            await Console.Error.WriteLineAsync(Usage);
            return 2;
        }

        var (etcd, directory, count, concurrency, samples) = options;
        // Without --etcd, only the file store (for profiling it alone).
        var skipped = new Phase("etcd (skipped)", 0, 0, 0, 0, 0, 0);
        var etcd1 = etcd is null ? skipped : await PhaseAsync("etcd, 1 node", 1, count, concurrency, () => Etcd(etcd), "10.1.0.0/16");
        var etcd3 = etcd is null ? skipped : await PhaseAsync("etcd, 3 nodes", 3, count, concurrency, () => Etcd(etcd), "10.2.0.0/16");
        var path = Path.Combine(directory, "cluster.yaml");
        var file1 = await PhaseAsync("file, 1 node", 1, count, concurrency, () => File(path), "10.3.0.0/16");
        var file3 = await PhaseAsync("file, 3 nodes", 3, count, concurrency, () => File(path), "10.4.0.0/16");
        var latency = etcd is null ? (0, 0) : await LatencyAsync(() => Etcd(etcd), samples, "10.5.0.0/16");
        var fileLatency = await LatencyAsync(() => File(path), samples, "10.6.0.0/16");

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ipam: {count} allocations per node, {concurrency} in flight per node; then released by handle"));
        Console.WriteLine();
        Console.WriteLine("| datastore | nodes | allocations/s (all nodes) | releases/s | alloc+release/s per node | p50 / p99 under load (ms) |");
        Console.WriteLine("|---|---|---|---|---|---|");
        foreach (var phase in new[] { etcd1, etcd3, file1, file3 })
        {
            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"| {phase.Name} | {phase.Nodes} | {phase.AllocationsPerSecond:0} | {phase.ReleasesPerSecond:0} | {phase.PerNodePerSecond:0} | {phase.LoadP50:0.0} / {phase.LoadP99:0.0} |"));
        }

        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"one allocation at a time ({samples}): etcd p50 {latency.P50:0.00} ms, p99 {latency.P99:0.00} ms; file p50 {fileLatency.P50:0.00} ms, p99 {fileLatency.P99:0.00} ms"));
        Console.WriteLine();
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"{{\"bench\":\"ipam\",\"etcd_1node_per_s\":{etcd1.PerNodePerSecond:0},\"etcd_3node_per_s\":{etcd3.PerNodePerSecond:0},\"file_per_s\":{file1.PerNodePerSecond:0},\"file_3node_per_s\":{file3.PerNodePerSecond:0},"
            + $"\"etcd_1node_alloc_per_s\":{etcd1.AllocationsPerSecond:0},\"etcd_3node_alloc_per_s\":{etcd3.AllocationsPerSecond:0},\"file_alloc_per_s\":{file1.AllocationsPerSecond:0},"
            + $"\"p50_ms\":{latency.P50:0.00},\"p99_ms\":{latency.P99:0.00},\"file_p50_ms\":{fileLatency.P50:0.00},\"file_p99_ms\":{fileLatency.P99:0.00},"
            + $"\"load_p99_ms\":{etcd1.LoadP99:0.0},\"count\":{count},\"concurrency\":{concurrency}}}"));
        return 0;
    }

    // BREAKDOWN=1: the store calls of each phase, counted and timed, on stderr.
    private static readonly bool Breakdown = Environment.GetEnvironmentVariable("BREAKDOWN") == "1";

    private static void ReportBreakdown(string what, System.Collections.Concurrent.ConcurrentDictionary<string, TimedIpamStore.Tally> tallies)
    {
        if (Breakdown)
        {
            Console.Error.Write($"{what}\n{TimedIpamStore.Report(tallies)}");
        }
    }

    private sealed record Phase(string Name, int Nodes, double AllocationsPerSecond, double ReleasesPerSecond, double PerNodePerSecond, double LoadP50, double LoadP99);

    private static async Task<Phase> PhaseAsync(string name, int nodes, int count, int concurrency, Func<(IIpamStore Store, IAsyncDisposable Client)> open, string cidr)
    {
        var clients = Enumerable.Range(0, nodes).Select(_ => open()).ToList();
        var tallies = new System.Collections.Concurrent.ConcurrentDictionary<string, TimedIpamStore.Tally>(StringComparer.Ordinal);
        if (Breakdown)
        {
            clients = [.. clients.Select(c => ((IIpamStore)new TimedIpamStore(c.Store, tallies), c.Client))];
        }

        try
        {
            await clients[0].Store.Pools.CreateAsync(new IPPool { Name = "bench-" + cidr.Replace('.', '-').Replace('/', '-'), Cidr = cidr });
            var allocators = clients.Select((c, i) => new IpamAllocator(c.Store, random: new Random(i + 1))).ToList();

            // Warm-up: the JIT and the connections, then given back.
            await Task.WhenAll(allocators.Select(async (a, i) =>
            {
                await a.AutoAssignAsync(Request($"warm-{i}", $"node-{i}"));
                await a.ReleaseByHandleAsync($"warm-{i}");
            }));

            tallies.Clear();
            var latencies = new double[nodes * count];
            var clock = Stopwatch.StartNew();
            await Task.WhenAll(allocators.Select((a, node) => InFlightAsync(count, concurrency, async i =>
            {
                var started = Stopwatch.GetTimestamp();
                await a.AutoAssignAsync(Request($"pod-{node}-{i}", $"node-{node}"));
                latencies[(node * count) + i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            })));
            var allocating = clock.Elapsed.TotalSeconds;
            ReportBreakdown($"{name}: allocating", tallies);

            clock.Restart();
            await Task.WhenAll(allocators.Select((a, node) => InFlightAsync(count, concurrency, i => a.ReleaseByHandleAsync($"pod-{node}-{i}"))));
            var releasing = clock.Elapsed.TotalSeconds;
            ReportBreakdown($"{name}: releasing", tallies);
            await Task.WhenAll(allocators.Select((a, node) => a.ReleaseEmptyBlocksAsync($"node-{node}")));

            var total = nodes * count;
            Array.Sort(latencies);
            return new Phase(name, nodes, total / allocating, total / releasing, 2 * count / (allocating + releasing), Percentile(latencies, 0.50), Percentile(latencies, 0.99));
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.Client.DisposeAsync();
            }
        }
    }

    private static async Task<(double P50, double P99)> LatencyAsync(Func<(IIpamStore Store, IAsyncDisposable Client)> open, int samples, string cidr)
    {
        var (store, client) = open();
        await using (client)
        {
            await store.Pools.CreateAsync(new IPPool { Name = "latency-" + cidr.Replace('.', '-').Replace('/', '-'), Cidr = cidr });
            var allocator = new IpamAllocator(store, random: new Random(7));
            await allocator.AutoAssignAsync(Request("warm", "lat"));
            var latencies = new double[samples];
            for (var i = 0; i < samples; i++)
            {
                var started = Stopwatch.GetTimestamp();
                await allocator.AutoAssignAsync(Request($"lat-{i}", "lat"));
                latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            }

            for (var i = 0; i < samples; i++)
            {
                await allocator.ReleaseByHandleAsync($"lat-{i}");
            }

            await allocator.ReleaseByHandleAsync("warm");
            await allocator.ReleaseEmptyBlocksAsync("lat");
            Array.Sort(latencies);
            return (Percentile(latencies, 0.50), Percentile(latencies, 0.99));
        }
    }

    /// <summary>Runs <paramref name="work"/> for 0..count-1 with at most <paramref name="concurrency"/> at once.</summary>
    private static Task InFlightAsync(int count, int concurrency, Func<int, Task> work) =>
        Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (i, _) => await work(i));

    private static AssignRequest Request(string handle, string node) => new()
    {
        HandleId = handle,
        Node = node,
        IPv4Count = 1,
        Attributes = new Dictionary<string, string> { ["namespace"] = "bench", ["pod"] = handle },
    };

    // As the agent opens it: pools, reservations and affinities from memory, kept fresh by the watch.
    private static (IIpamStore, IAsyncDisposable) Etcd(string endpoint) => Watched(new EtcdResourceStore([endpoint]));

    private static (IIpamStore, IAsyncDisposable) File(string path) => Watched(new FileResourceStore(path));

    private static (IIpamStore, IAsyncDisposable) Watched(IResourceStore client)
    {
        var store = new WatchedIpamStore(client);
        return (store, new Closing(store, client));
    }

    private sealed class Closing(WatchedIpamStore store, IResourceStore client) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await store.DisposeAsync();
            await client.DisposeAsync();
        }
    }

    private static double Percentile(double[] sorted, double p) => sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];

    private static (string? Etcd, string Directory, int Count, int Concurrency, int Samples)? Parse(string[] args)
    {
        string? etcd = null;
        string? directory = null;
        int count = 2000, concurrency = 32, samples = 300;
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            var value = args[i + 1];
            switch (args[i])
            {
                case "--etcd":
                    etcd = value;
                    break;
                case "--file":
                    directory = value;
                    break;
                case "--count" when int.TryParse(value, CultureInfo.InvariantCulture, out count) && count > 0:
                case "--concurrency" when int.TryParse(value, CultureInfo.InvariantCulture, out concurrency) && concurrency > 0:
                case "--latency" when int.TryParse(value, CultureInfo.InvariantCulture, out samples) && samples > 0:
                    break;
                default:
                    return null;
            }
        }

        return args.Length % 2 == 0 && directory is not null ? (etcd, directory, count, concurrency, samples) : null;
    }
}
