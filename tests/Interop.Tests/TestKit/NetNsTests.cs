using System.Diagnostics;
using System.Globalization;
using Routing.TestKit;
using Routing.TestKit.Namespaces;
using Routing.TestKit.Processes;

namespace Routing.Interop.Tests.TestKit;

/// <summary>The namespace kit itself: isolation, links, processes, and that nothing outlives a test.</summary>
[Trait("Category", "Netns")]
public sealed class NetNsTests
{
    [SkippableFact]
    public async Task Two_namespaces_joined_by_a_veth_pair_reach_each_other_and_vanish_on_dispose()
    {
        string aName, bName;
        await using (var lab = new Topology())
        {
            var a = await lab.AddNamespaceAsync("a");
            var b = await lab.AddNamespaceAsync("b");
            aName = a.Name;
            bName = b.Name;
            Assert.StartsWith($"{TestRun.NamespacePrefix}{Environment.ProcessId}-", a.Name, StringComparison.Ordinal);

            var link = await lab.LinkAsync(a, "192.0.2.1/30", b, "192.0.2.2/30");
            await b.AddAddressAsync("lo", "198.51.100.7/32");
            await a.AddRouteAsync("198.51.100.7/32", "via", "192.0.2.2");

            var ping = await a.RunAsync("ping", "-c", "1", "-W", "2", "198.51.100.7");
            Assert.True(ping.Succeeded, ping.ToString());
            Assert.Contains(link.BName, await b.IpAsync("-o", "link", "show"), StringComparison.Ordinal);

            // The host's namespace never sees either end.
            var hostLinks = await Command.OutputOfAsync("ip", "-o", "link", "show");
            Assert.DoesNotContain($" {link.AName}:", hostLinks, StringComparison.Ordinal);
        }

        var namespaces = await Command.OutputOfAsync("ip", "netns", "list");
        Assert.DoesNotContain(aName, namespaces, StringComparison.Ordinal);
        Assert.DoesNotContain(bName, namespaces, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task A_process_started_in_a_namespace_runs_there_and_is_stopped_on_dispose()
    {
        int pid;
        await using (var ns = await NetNs.CreateAsync("proc"))
        {
            var sleeper = ns.StartProcess("sleep", "sleep", ["600"]);
            pid = sleeper.Pid;
            var expected = new FileInfo(ns.Path);
            Assert.True(expected.Exists);

            // The tracked PID is the sleeper itself, inside the namespace (same netns inode).
            Assert.Equal(
                await Command.OutputOfAsync("stat", "-L", "-c", "%i", ns.Path),
                await Command.OutputOfAsync("stat", "-L", "-c", "%i", $"/proc/{pid}/ns/net"));
            Assert.Contains(pid.ToString(CultureInfo.InvariantCulture), await Command.OutputOfAsync("ip", "netns", "pids", ns.Name), StringComparison.Ordinal);
        }

        Assert.Null(TestRun.ProcessStartTime(pid));
    }

    [SkippableFact]
    public async Task A_failing_command_reports_its_stderr()
    {
        await using var ns = await NetNs.CreateAsync("fail");
        var error = await Assert.ThrowsAsync<CommandFailedException>(() => ns.IpAsync("route", "add", "203.0.113.0/24", "via", "192.0.2.99"));
        Assert.Contains("Nexthop has invalid gateway", error.Message, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task Leftovers_of_a_killed_run_are_removed_and_live_runs_are_left_alone()
    {
        TestRun.RequireNamespaces();
        var deadPid = UnusedPid();
        var deadRun = Path.Combine(TestRun.Root, $"{deadPid}-12345");
        var leftoverNs = $"{TestRun.NamespacePrefix}{deadPid}-1-leftover";
        await using var live = await NetNs.CreateAsync("live");

        // What a killed run leaves: a namespace with a daemon in it, and a daemon on the host recorded in its pid files.
        await Command.OutputOfAsync("ip", "netns", "add", leftoverNs);
        using var inNamespace = Process.Start("ip", ["netns", "exec", leftoverNs, "sleep", "600"]);
        using var onHost = Process.Start("sleep", ["600"]);
        Directory.CreateDirectory(Path.Combine(deadRun, "pids"));
        await File.WriteAllTextAsync(
            Path.Combine(deadRun, "pids", onHost.Id.ToString(CultureInfo.InvariantCulture)),
            $"{TestRun.ProcessStartTime(onHost.Id)} sleep\n");
        try
        {
            await WaitUntil(async () => (await Command.OutputOfAsync("ip", "netns", "pids", leftoverNs)).Trim().Length > 0);

            TestRun.RemoveLeftovers();

            var namespaces = await Command.OutputOfAsync("ip", "netns", "list");
            Assert.DoesNotContain(leftoverNs, namespaces, StringComparison.Ordinal);
            Assert.Contains(live.Name, namespaces, StringComparison.Ordinal);
            Assert.True(inNamespace.WaitForExit(5000), "the daemon inside the leftover namespace was not killed");
            Assert.True(onHost.WaitForExit(5000), "the daemon recorded by the dead run was not killed");
            Assert.False(Directory.Exists(deadRun));
        }
        finally
        {
            if (!onHost.HasExited)
            {
                onHost.Kill();
            }

            if (!inNamespace.HasExited)
            {
                inNamespace.Kill();
            }

            await Command.RunAsync("ip", "netns", "delete", leftoverNs);
        }
    }

    private static int UnusedPid()
    {
        for (var pid = 4_000_000; ; pid++)
        {
            if (!Directory.Exists($"/proc/{pid}"))
            {
                return pid;
            }
        }
    }

    private static async Task WaitUntil(Func<Task<bool>> condition)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), "timed out");
            await Task.Delay(20);
        }
    }
}
