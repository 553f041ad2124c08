using BenchmarkDotNet.Attributes;
using Routing.Agent.Services.Model;
using Routing.Agent.Services.Reading;
using Routing.Agent.Services.Rules;

namespace Routing.Benchmarks.Services;

/// <summary>
/// The proxy's compile after one endpoint change, at bench/services' scale: 10,000 ClusterIP services
/// of 5 endpoints, each service's rules cached from the previous compile, one EndpointSlice replaced.
/// </summary>
[MemoryDiagnoser]
public class ServiceCompileBenchmarks
{
    private const int Count = 10_000;
    private readonly ServiceRulesOptions options = new() { NodeName = "node1", ClusterCidr = "10.244.0.0/16" };
    private readonly ServiceRulesCache cache = new();
    private ClusterService[] services = null!;
    private EndpointSlice[] slices = null!;
    private EndpointSlice[][] alternates = null!;
    private int generation;

    [GlobalSetup]
    public void Setup()
    {
        services = [.. Enumerable.Range(0, Count).Select(i => ServiceResourceReader.ReadService(ServicesRun.Service(i)))];
        slices = [.. Enumerable.Range(0, Count).Select(i => ServiceResourceReader.ReadEndpointSlice(ServicesRun.Slice(i, 5, 0)))];
        alternates = [.. Enumerable.Range(1, 2).Select(g => Enumerable.Range(0, Count).Select(i => ServiceResourceReader.ReadEndpointSlice(ServicesRun.Slice(i, 5, g))).ToArray())];
        ServiceRulesCompiler.Compile(services, slices, options, cache);
    }

    [Benchmark]
    public ServiceRuleset OneEndpointChanged()
    {
        var g = generation++;
        var i = g * 7919 % Count;
        slices[i] = alternates[g % 2][i];
        return ServiceRulesCompiler.Compile(services, slices, options, cache);
    }
}
