using Routing.TestKit;
using Routing.TestKit.Processes;
using Xunit.Abstractions;

namespace Routing.Interop.Tests.Lab;

/// <summary>
/// The lab's services, end to end, in one lab: the agents run as service proxies and cluster DNS,
/// the lab applies <c>web</c> (NodePort, every pod an endpoint) and <c>local</c> (LoadBalancer,
/// <c>externalTrafficPolicy: Local</c>, endpoints on node1 only). From a pod on every node the
/// cluster IP and the name reach an endpoint; a router reaches the node port; the racks' BIRD
/// holds the service ranges, and the /32s of <c>local</c> only from node1, whose health-check node
/// port answers 200 where node3's answers 503.
/// </summary>
[Trait("Category", "Netns")]
public sealed class LabServicesTests(ITestOutputHelper output)
{
    private static readonly string RoutingDll = Path.Combine(AppContext.BaseDirectory, "routing.dll");
    private static readonly string Cni = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "..", "out", "bin", "routing-cni"));
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    private static Task<CommandResult> Routing(params string[] arguments) => Command.RunAsync("dotnet", [RoutingDll, .. arguments], null, TimeSpan.FromMinutes(3));

    /// <summary>What a TCP connection from <paramref name="ns"/> reads (after sending <paramref name="request"/>), or "" when none.</summary>
    private static async Task<string> TcpAsync(string ns, string host, int port, string request = "")
    {
        var send = request.Length == 0 ? "" : $" && printf '{request}' >&3";
        var result = await Command.RunAsync("ip", ["netns", "exec", ns, "timeout", "3", "bash", "-c", $"exec 3<>/dev/tcp/{host}/{port}{send} && cat <&3"], null, TimeSpan.FromSeconds(10));
        return result.Succeeded ? result.StandardOutput : "";
    }

    private static async Task<string> UntilAsync(string what, Func<Task<string>> probe, Func<string, bool> done)
    {
        var deadline = DateTime.UtcNow + Wait;
        while (true)
        {
            var last = await probe();
            if (done(last))
            {
                return last;
            }

            Assert.True(DateTime.UtcNow < deadline, $"{what}: not after {Wait.TotalSeconds} s; last: '{last}'");
            await Task.Delay(TimeSpan.FromSeconds(1));
        }
    }

    private static Task<string> BirdRoutesAsync(string lab, int rack, string prefix) =>
        Command.RunAsync("birdc", ["-s", $"/run/routing-lab/{lab}/tor{rack}.ctl", "show", "route", prefix], null).ContinueWith(t => t.Result.StandardOutput, TaskScheduler.Default);

    [SkippableFact]
    public async Task Pods_routers_and_the_racks_BIRD_see_the_labs_services()
    {
        Skip.IfNot(File.Exists(Cni), $"routing-cni is not published at {Cni} (scripts/setup publishes it)");
        TestRun.RequireNamespaces();
        var name = TestRun.NewNamespaceName("svc");
        try
        {
            var up = await Routing("lab", "up", "--name", name, "--nodes", "3", "--racks", "2", "--cni", Cni);
            output.WriteLine(up.StandardOutput);
            Assert.True(up.Succeeded, up.ToString());
            Assert.Contains("30/30 reached", up.StandardOutput, StringComparison.Ordinal);
            Assert.Contains("== services", up.StandardOutput, StringComparison.Ordinal);

            // From a pod on every node: the cluster IP, and the name through the node's DNS.
            foreach (var node in new[] { 1, 2, 3 })
            {
                var pod = $"{name}-n{node}p1";
                foreach (var host in new[] { "10.96.0.10", "web", "web.lab.svc.cluster.local", "10.96.0.11" })
                {
                    var answer = await UntilAsync($"{host}:80 from node{node}'s pod", () => TcpAsync(pod, host, 80), a => a.StartsWith("node", StringComparison.Ordinal));
                    output.WriteLine($"node{node} pod1 -> {host}:80: {answer.Trim()}");
                    Assert.Matches(host == "10.96.0.11" ? "^node1-pod[12] " : "^node[123]-pod[12] ", answer);
                }
            }

            // The node port from each rack's router, to a node of its rack (masqueraded: eTP Cluster).
            foreach (var (rack, node) in new[] { (1, "10.100.1.11"), (2, "10.100.2.12") })
            {
                var answer = await UntilAsync($"node port 30080 of {node} from tor{rack}", () => TcpAsync($"{name}-tor{rack}", node, 30080), a => a.StartsWith("node", StringComparison.Ordinal));
                output.WriteLine($"tor{rack} -> {node}:30080: {answer.Trim()}");
            }

            // The racks' BIRD: the service ranges; local's /32s from node1 only (tor1 from node1
            // itself, tor2 through tor1), none from node3 or node2.
            foreach (var prefix in new[] { "10.96.0.0/12", "203.0.113.0/24" })
            {
                await UntilAsync($"{prefix} in tor1", () => BirdRoutesAsync(name, 1, prefix), r => r.Contains("[node1 ", StringComparison.Ordinal) && r.Contains("[node3 ", StringComparison.Ordinal));
                await UntilAsync($"{prefix} in tor2", () => BirdRoutesAsync(name, 2, prefix), r => r.Contains("[node2 ", StringComparison.Ordinal));
            }

            foreach (var host in new[] { "10.96.0.11/32", "203.0.113.11/32" })
            {
                var tor1 = await UntilAsync($"{host} in tor1", () => BirdRoutesAsync(name, 1, host), r => r.Contains("[node1 ", StringComparison.Ordinal));
                var tor2 = await UntilAsync($"{host} in tor2", () => BirdRoutesAsync(name, 2, host), r => r.Contains("[tor1 ", StringComparison.Ordinal));
                output.WriteLine($"tor1 {host}:\n{tor1}\ntor2 {host}:\n{tor2}");
                Assert.DoesNotContain("[node3 ", tor1, StringComparison.Ordinal);
                Assert.DoesNotContain("[node2 ", tor2, StringComparison.Ordinal);
            }

            // local's health-check node port: 200 on node1 (its endpoints), 503 on node3 (none).
            const string Get = @"GET / HTTP/1.0\r\nHost: lab\r\n\r\n";
            var healthy = await UntilAsync("node1's health-check node port", () => TcpAsync($"{name}-tor1", "10.100.1.11", 32081, Get), a => a.StartsWith("HTTP/1.1 200", StringComparison.Ordinal));
            Assert.Contains("\"localEndpoints\":2", healthy, StringComparison.Ordinal);
            var drained = await UntilAsync("node3's health-check node port", () => TcpAsync($"{name}-tor1", "10.100.1.13", 32081, Get), a => a.StartsWith("HTTP/1.1 503", StringComparison.Ordinal));
            Assert.Contains("\"localEndpoints\":0", drained, StringComparison.Ordinal);
            Assert.Contains("{\"service\":{\"namespace\":\"lab\",\"name\":\"local\"}", drained, StringComparison.Ordinal);

            var status = await Routing("lab", "status", "--name", name);
            output.WriteLine(status.StandardOutput);
            Assert.Matches(@"web NodePort 10\.96\.0\.10:80.*: node[123]-pod[12] ", status.StandardOutput);
        }
        finally
        {
            var down = await Routing("lab", "down", "--name", name);
            output.WriteLine(down.ToString());
        }

        var namespaces = await Command.RunAsync("ip", ["netns", "list"], null);
        Assert.DoesNotContain(name, namespaces.StandardOutput, StringComparison.Ordinal);
    }
}
