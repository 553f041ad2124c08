using System.Globalization;
using System.Text.Json;
using Routing.TestKit;
using Routing.TestKit.Processes;
using Xunit.Abstractions;

namespace Routing.Interop.Tests.Lab;

/// <summary>
/// `routing lab up` as a newcomer runs it (under a per-run name): etcd, two racks with BIRD
/// routers, three nodes running `routing agent` against the etcd and peering eBGP with their rack's
/// router, two pods per node wired by `routing-cni`; every pod reaches every other through the
/// routes the agents program, also while a node's agent is killed and after it starts again;
/// `routing lab down` removes all of it.
/// </summary>
[Trait("Category", "Netns")]
public sealed class LabTests(ITestOutputHelper output)
{
    private static readonly string RoutingDll = Path.Combine(AppContext.BaseDirectory, "routing.dll");
    private static readonly string Cni = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "..", "out", "bin", "routing-cni"));

    private static Task<CommandResult> Routing(params string[] arguments) => Command.RunAsync("dotnet", [RoutingDll, .. arguments], null, TimeSpan.FromMinutes(3));

    [SkippableFact]
    public async Task The_lab_comes_up_with_every_pod_reaching_every_other_and_goes_away_completely()
    {
        Skip.IfNot(File.Exists(Cni), $"routing-cni is not published at {Cni} (scripts/setup publishes it)");
        TestRun.RequireNamespaces();
        var name = TestRun.NewNamespaceName("lab");
        try
        {
            var up = await Routing("lab", "up", "--name", name, "--nodes", "3", "--racks", "2", "--cni", Cni);
            output.WriteLine(up.StandardOutput);
            Assert.True(up.Succeeded, up.ToString());
            Assert.Contains("30/30 reached", up.StandardOutput, StringComparison.Ordinal);
            Assert.Contains("Established", up.StandardOutput, StringComparison.Ordinal);
            Assert.Contains("blackhole 10.244.", up.StandardOutput, StringComparison.Ordinal);

            var again = await Routing("lab", "up", "--name", name, "--cni", Cni);
            Assert.False(again.Succeeded);
            Assert.Contains($"a lab named {name} is already up", again.StandardError, StringComparison.Ordinal);

            // node2's agent killed: its router keeps node2's block (graceful restart, forwarding
            // preserved), node2 keeps its routes, and pods keep reaching each other.
            using (var state = JsonDocument.Parse(await File.ReadAllTextAsync($"/run/routing-lab/{name}/state.json")))
            {
                var pid = state.RootElement.GetProperty("processes").EnumerateArray().Single(p => p.GetProperty("name").GetString() == "node2").GetProperty("pid").GetInt32();
                (await Command.RunAsync("kill", ["-9", pid.ToString(CultureInfo.InvariantCulture)], null)).EnsureSuccess();
            }

            await Task.Delay(TimeSpan.FromSeconds(2));
            var whileDown = await Routing("lab", "status", "--name", name);
            output.WriteLine(whileDown.StandardOutput);
            Assert.Contains("30/30 reached", whileDown.StandardOutput, StringComparison.Ordinal);
            Assert.DoesNotContain("Established", Section(whileDown.StandardOutput, "== node2", "== node3"), StringComparison.Ordinal);

            // Started again, it takes its sessions and routes back.
            var started = await Routing("lab", "start-agent", "--name", name, "node2");
            Assert.True(started.Succeeded, started.ToString());
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
            while (true)
            {
                var status = await Routing("lab", "status", "--name", name);
                var node2 = Section(status.StandardOutput, "== node2", "== node3");
                if (node2.Contains("Established", StringComparison.Ordinal) && status.StandardOutput.Contains("30/30 reached", StringComparison.Ordinal))
                {
                    break;
                }

                Assert.True(DateTime.UtcNow < deadline, $"node2 did not come back:\n{status.StandardOutput}");
                await Task.Delay(TimeSpan.FromSeconds(1));
            }
        }
        finally
        {
            var down = await Routing("lab", "down", "--name", name);
            output.WriteLine(down.ToString());
        }

        var namespaces = await Command.RunAsync("ip", ["netns", "list"], null);
        Assert.DoesNotContain(name, namespaces.StandardOutput, StringComparison.Ordinal);
        Assert.False(Directory.Exists($"/run/routing-lab/{name}"));
    }

    private static string Section(string text, string from, string to) =>
        text[text.IndexOf(from, StringComparison.Ordinal)..text.IndexOf(to, StringComparison.Ordinal)];
}
