using Routing.Agent.Services.Reading;
using Routing.Dataplane.Commands;
using static Routing.Agent.Tests.Services.ServiceDocuments;

namespace Routing.Agent.Tests.Services;

/// <summary>
/// A node whose kernel has no xt_bpf: every restore with the bpf match is refused the way
/// iptables-nft-restore refuses it then (this kernel has the module, so the refusal is played by the
/// runner; everything else is the real iptables in the node namespace).
/// </summary>
public sealed class ServiceNetworkWithoutXtBpf : ServiceNetwork
{
    protected override ICommandRunner Runner(string node) => new WithoutXtBpf(new ProcessCommandRunner(node));

    private sealed class WithoutXtBpf(ICommandRunner inner) : ICommandRunner
    {
        public Task<CommandOutput> RunAsync(string file, IReadOnlyList<string> arguments, string? standardInput = null, CancellationToken cancellationToken = default)
        {
            var lines = standardInput?.Split('\n') ?? [];
            var line = Array.FindIndex(lines, l => l.Contains(" -m bpf ", StringComparison.Ordinal));
            if (file.Contains("restore", StringComparison.Ordinal) && line >= 0)
            {
                var chain = lines[line].Split(' ')[1];
                return Task.FromResult(new CommandOutput(
                    4,
                    "",
                    $"Warning: Extension bpf revision 0 not supported, missing kernel module?\niptables-nft-restore v1.8.9 (nf_tables): \nline {line + 1}: RULE_APPEND failed (No such file or directory): rule in chain {chain}\n"));
            }

            return inner.RunAsync(file, arguments, standardInput, cancellationToken);
        }
    }
}

/// <summary>Without xt_bpf the proxy falls back to a chain per endpoint and hairpin traffic still works.</summary>
[Trait("Category", "Netns")]
public sealed class ServiceProxyWithoutXtBpfNetnsTests(ServiceNetworkWithoutXtBpf network) : IClassFixture<ServiceNetworkWithoutXtBpf>
{
    [SkippableFact]
    public async Task Without_xt_bpf_a_pod_still_reaches_itself_through_its_service_masqueraded()
    {
        await network.StartAsync();
        await network.PutAsync(ServiceResourceReader.ServiceKind, "hairpin", Service("hairpin", new { clusterIP = "10.96.0.26", ports = new[] { Port(80, "http", targetPort: 8080) } }));
        await network.PutAsync(ServiceResourceReader.EndpointSliceKind, "hairpin-abc", Slice("hairpin", [Endpoint(ServiceNetwork.PodAddress(1), "node1", true), Endpoint(ServiceNetwork.PodAddress(2), "node1", true)], [SlicePort(8080, "http")]));

        await using var waiting = new TestKit.Namespaces.Topology();
        await waiting.UntilAsync("p1 reaches the cluster IP", async _ => (await ServiceNetwork.TcpAsync(network.Pods[0], "10.96.0.26", 80, 1)).StartsWith('p'), TimeSpan.FromSeconds(30));
        Assert.False(network.Proxy.EndpointsInlined);
        var rules = await network.Node.OutputOfAsync("iptables-save", "-t", "nat");
        Assert.Contains($"-s {ServiceNetwork.PodAddress(1)}/32", rules, StringComparison.Ordinal);
        Assert.DoesNotContain("-m bpf", rules, StringComparison.Ordinal);

        // p1 lands on itself about half the time: masqueraded, so its answer comes back through the node.
        var seen = new HashSet<string>();
        for (var i = 0; i < 40 && seen.Count < 2; i++)
        {
            var answer = await ServiceNetwork.TcpAsync(network.Pods[0], "10.96.0.26", 80);
            if (answer.StartsWith("p1 ", StringComparison.Ordinal))
            {
                Assert.NotEqual("p1 " + ServiceNetwork.PodAddress(1), answer);
            }
            else
            {
                Assert.Equal("p2 " + ServiceNetwork.PodAddress(1), answer);
            }

            seen.Add(answer.Split(' ')[0]);
        }

        Assert.Equal(["p1", "p2"], seen.Order());
    }
}
