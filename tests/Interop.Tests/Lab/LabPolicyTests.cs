using System.Text.Json;
using Routing.TestKit;
using Routing.TestKit.Processes;
using Xunit.Abstractions;

namespace Routing.Interop.Tests.Lab;

/// <summary>
/// `routing lab up --policy`: the agents enforce NetworkPolicy on the lab's pods, which the lab
/// wrote to its etcd as Pods (namespace lab, app=&lt;pod&gt;). One lab, several cases in a row: a
/// policy written through the datastore denies all ingress to one pod (the others still reach each
/// other), its change lets exactly one source in, and its deletion lets everyone in again.
/// </summary>
[Trait("Category", "Netns")]
public sealed class LabPolicyTests(ITestOutputHelper output)
{
    private static readonly string RoutingDll = Path.Combine(AppContext.BaseDirectory, "routing.dll");
    private static readonly string Cni = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "..", "out", "bin", "routing-cni"));
    private static readonly string[] Pods = ["node1-pod1", "node1-pod2", "node2-pod1", "node2-pod2"];
    private const string Guarded = "node1-pod1";

    private static Task<CommandResult> Routing(params string[] arguments) => Command.RunAsync("dotnet", [RoutingDll, .. arguments], null, TimeSpan.FromMinutes(3));

    private static string Policy(string ingress) => $$$"""
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {namespace: lab, name: guard}
        spec:
          podSelector: {matchLabels: {app: {{{Guarded}}}}}
          policyTypes: [Ingress]
        {{{ingress}}}
        """;

    [SkippableFact]
    public async Task A_NetworkPolicy_applied_through_the_datastore_blocks_then_allows_as_written()
    {
        Skip.IfNot(File.Exists(Cni), $"routing-cni is not published at {Cni} (scripts/setup publishes it)");
        TestRun.RequireNamespaces();
        var name = TestRun.NewNamespaceName("pol");
        try
        {
            var up = await Routing("lab", "up", "--name", name, "--nodes", "2", "--racks", "1", "--pods", "2", "--policy", "--cni", Cni, "--timeout", "150");
            output.WriteLine(up.StandardOutput);
            Assert.True(up.Succeeded, up.ToString());
            Assert.Contains("12/12 reached", up.StandardOutput, StringComparison.Ordinal);

            var addresses = new Dictionary<string, string>(StringComparer.Ordinal);
            using (var state = JsonDocument.Parse(await File.ReadAllTextAsync($"/run/routing-lab/{name}/state.json")))
            {
                foreach (var pod in state.RootElement.GetProperty("podAddresses").EnumerateObject())
                {
                    addresses[pod.Name] = pod.Value.GetString()!;
                }
            }

            var dir = TestRun.NewDirectory("lab-policy");
            var policy = Path.Combine(dir, "policy.yaml");

            // Deny all ingress to node1-pod1: nobody reaches it; the others still reach each other.
            await File.WriteAllTextAsync(policy, Policy(""));
            await ApplyAsync(name, policy);
            await UntilAsync("no pod to reach node1-pod1, and the others each other", async () =>
                await ReachedAsync(name, addresses) is var reached
                && Pods.All(from => from == Guarded || !reached.Contains((from, Guarded)))
                && reached.Contains(("node2-pod1", "node1-pod2")) && reached.Contains(("node1-pod2", "node2-pod2")) && reached.Contains((Guarded, "node2-pod2")));

            // Ingress from node2-pod1 only: exactly that source reaches it.
            await File.WriteAllTextAsync(policy, Policy("  ingress: [{from: [{podSelector: {matchLabels: {app: node2-pod1}}}]}]"));
            await ApplyAsync(name, policy);
            await UntilAsync("exactly node2-pod1 to reach node1-pod1", async () =>
                await ReachedAsync(name, addresses) is var reached
                && reached.Contains(("node2-pod1", Guarded)) && !reached.Contains(("node1-pod2", Guarded)) && !reached.Contains(("node2-pod2", Guarded)));

            // The policy deleted: everyone reaches it again; `routing lab status` says so too.
            var deleted = await Command.RunAsync("ip", ["netns", "exec", $"{name}-etcd", "etcdctl", "--endpoints", "http://127.0.0.1:2379", "del", "/routing/v1/networkpolicy/lab/guard"], null);
            Assert.True(deleted.Succeeded, deleted.ToString());
            await UntilAsync("every pod to reach node1-pod1 again", async () =>
                await ReachedAsync(name, addresses) is var reached && Pods.All(from => from == Guarded || reached.Contains((from, Guarded))));
            var status = await Routing("lab", "status", "--name", name);
            output.WriteLine(status.StandardOutput);
            Assert.True(status.Succeeded, status.ToString());
            Assert.Contains("12/12 reached", status.StandardOutput, StringComparison.Ordinal);
        }
        finally
        {
            var down = await Routing("lab", "down", "--name", name);
            output.WriteLine(down.ToString());
        }

        var namespaces = await Command.RunAsync("ip", ["netns", "list"], null);
        Assert.DoesNotContain(name, namespaces.StandardOutput, StringComparison.Ordinal);
    }

    private static async Task ApplyAsync(string lab, string file)
    {
        var applied = await Command.RunAsync("ip", ["netns", "exec", $"{lab}-etcd", "dotnet", RoutingDll, "apply", "-f", file, "--datastore", "etcd:http://127.0.0.1:2379"], null, TimeSpan.FromMinutes(2));
        Assert.True(applied.Succeeded, applied.ToString());
    }

    /// <summary>Which pod pairs a ping gets through between, probed all at once from the pods' namespaces (lab "n{node}p{pod}").</summary>
    private static async Task<HashSet<(string From, string To)>> ReachedAsync(string lab, Dictionary<string, string> addresses)
    {
        var probes = Pods.SelectMany(from => Pods.Where(to => to != from).Select(async to =>
        {
            var ns = $"{lab}-n{from[4]}p{from[^1]}";
            var ping = await Command.RunAsync("ip", ["netns", "exec", ns, "ping", "-c", "1", "-W", "1", addresses[to]], null);
            return (from, to, ping.Succeeded);
        }));
        return [.. (await Task.WhenAll(probes)).Where(p => p.Succeeded).Select(p => (p.from, p.to))];
    }

    private async Task UntilAsync(string what, Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"not within 60 s: {what}");
            }

            await Task.Delay(TimeSpan.FromSeconds(1));
        }

        output.WriteLine($"done: {what}");
    }
}
