using System.Diagnostics;
using System.Globalization;
using Routing.Agent.PolicyRules;
using Routing.Policy.Compilation;

namespace Routing.Benchmarks.Policy;

/// <summary>
/// `policy-compile [PODS] [POLICIES] [ROUNDS] [REMOTE] [NAMESPACES]` (issue 7's size: 110 1000 10 4890 100): the pure part of bench/policy's full apply (the
/// synthetic cluster's resources read into a model, then compiled as PolicyLoop compiles a whole
/// model), repeated, with wall and CPU time, bytes allocated and GC pauses per round: a loop to run
/// under a profiler (perf with DOTNET_PerfMapEnabled=1). POLICY_ALLOCATIONS=read|compile lists the
/// types that phase allocates most (allocation samples from the third round on).
/// </summary>
internal static class PolicyCompileLoop
{
    public static int Run(string[] args)
    {
        var pods = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1000;
        var policies = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 500;
        var rounds = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 10;
        var remote = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 0;
        var namespaces = args.Length > 4 ? int.Parse(args[4], CultureInfo.InvariantCulture) : 0;
        var cluster = new SyntheticCluster(pods, policies, remote, namespaces);
        var compiler = new PolicyCompiler();
        static IEnumerable<Routing.Agent.Datastore.Store.StoredResource> Stored(IEnumerable<(Routing.Agent.Datastore.Store.ResourceKey Key, string Json)> resources) =>
            resources.Select(r => new Routing.Agent.Datastore.Store.StoredResource(r.Key, r.Json, "1"));
        var sampled = Environment.GetEnvironmentVariable("POLICY_ALLOCATIONS");
        using var sampler = sampled is null ? null : new AllocationSampler();
        for (var r = 0; r < rounds; r++)
        {
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var allocated = GC.GetTotalAllocatedBytes(precise: true);
            var collections = GC.CollectionCount(0);
            var paused = GC.GetTotalPauseDuration();
            if (sampler is not null)
            {
                sampler.Sampling = r >= 2 && sampled == "read";
            }

            var clock = Stopwatch.StartNew();
            var model = new NodePolicyCalculation(SyntheticCluster.NodeName).Calculate(
                Stored(cluster.Namespaces), Stored(cluster.Pods), Stored(cluster.Policies.Where(p => p.Key.Kind == "NetworkPolicy")), Stored(cluster.Policies.Where(p => p.Key.Kind == "GlobalNetworkPolicy"))).Model;
            var read = clock.Elapsed.TotalMilliseconds;
            var readAllocated = GC.GetTotalAllocatedBytes(precise: true) - allocated;
            if (sampler is not null)
            {
                sampler.Sampling = r >= 2 && sampled == "compile";
            }

            var ruleset = new IncrementalPolicyCompiler(compiler).Compile(model);
            var total = clock.Elapsed.TotalMilliseconds;
            var compileAllocated = GC.GetTotalAllocatedBytes(precise: true) - allocated - readAllocated;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"round {r}: read {read:0.0} ms, compile {total - read:0.0} ms, CPU {(Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds:0} ms; allocated {readAllocated / 1048576.0:0.0} + {compileAllocated / 1048576.0:0.0} MiB, {GC.CollectionCount(0) - collections} collections pausing {(GC.GetTotalPauseDuration() - paused).TotalMilliseconds:0} ms; {ruleset.RuleCount} rules, {ruleset.Sets.Count} sets"));
        }

        foreach (var (type, samples) in sampler?.Top(30) ?? [])
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{samples,8} {type}"));
        }

        return 0;
    }
}
