using Routing.TestKit;
using Routing.TestKit.Processes;
using Xunit.Abstractions;

namespace Routing.Interop.Tests.Lab;

/// <summary>
/// `routing lab up` as a newcomer runs it (under a per-run name): etcd, two racks with BIRD
/// routers, three nodes running `routing agent` against the etcd and peering eBGP with their rack's
/// router, two pods per node wired by `routing-cni`; every pod reaches every other through the
/// routes the agents program; `routing lab down` removes all of it.
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

            var status = await Routing("lab", "status", "--name", name);
            Assert.True(status.Succeeded, status.ToString());
            Assert.Contains("30/30 reached", status.StandardOutput, StringComparison.Ordinal);
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
}
