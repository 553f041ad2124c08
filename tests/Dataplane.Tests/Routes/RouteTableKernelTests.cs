using System.Diagnostics;
using System.Net;
using System.Threading.Channels;
using Routing.Dataplane.Monitor;
using Routing.Dataplane.Routes;
using Routing.Dataplane.Tests.Kit;
using Xunit.Abstractions;

namespace Routing.Dataplane.Tests.Routes;

/// <summary>RouteTable against a real kernel, in a namespace of its own.</summary>
[Trait("Category", Categories.Netns)]
public class RouteTableKernelTests(ITestOutputHelper output)
{
    private static Route Via(string cidr, string gateway) => Route.Via(IPNetwork.Parse(cidr), IPAddress.Parse(gateway));

    [SkippableFact]
    public async Task A_route_deleted_with_ip_route_del_is_back_within_100_ms()
    {
        await using var ns = await KernelNamespace.CreateAsync("drift");
        await ns.AddUplinkAsync("up0", "10.0.0.1/24");
        using var table = RouteTable.Open(ns.Namespace);
        table.Set(Via("10.1.0.0/24", "10.0.0.9"));
        table.Set(Via("10.2.0.0/24", "10.0.0.9"));
        table.Set(Route.Blackhole(IPNetwork.Parse("10.3.0.0/16")));
        using var watch = NetlinkMonitor.Start(ns.Namespace, MonitorGroups.IPv4Routes);
        await using var running = new RunningTable(table);
        await Until(watch.Changes, c => c is RouteChange { Removed: false, Route.Protocol: RouteProtocols.Routing } r && r.Route.Destination.ToString() == "10.3.0.0/16");
        Assert.Equal(3, (await ns.IpAsync("route", "show", "proto", "80")).Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);

        var samples = new List<double>();
        for (var i = 0; i < 5; i++)
        {
            // An upper bound: the clock starts before `ip` is spawned (a few ms of its own).
            var clock = Stopwatch.StartNew();
            await ns.IpAsync("route", "del", "10.1.0.0/24");
            await Until(watch.Changes, c => c is RouteChange { Removed: true } r && r.Route.Destination.ToString() == "10.1.0.0/24");
            await Until(watch.Changes, c => c is RouteChange { Removed: false } r && r.Route.Destination.ToString() == "10.1.0.0/24");
            samples.Add(clock.Elapsed.TotalMilliseconds);
            await Task.Delay(20);
        }

        output.WriteLine($"repair after ip route del, ms from spawning `ip route del` to the route's return: {string.Join(", ", samples.Select(s => s.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture)))}");
        Assert.True(samples.Min() < 100, $"repairs took {string.Join(", ", samples)} ms");
        Assert.True(samples.Max() < 1000, $"repairs took {string.Join(", ", samples)} ms");
        Assert.Matches(@"10\.1\.0\.0/24 nhid \d+ via 10\.0\.0\.9 dev up0 proto 80", await ns.IpAsync("route", "show"));
        Assert.True(table.Repairs >= 5);

        // Changed rather than deleted: `ip route replace` (protocol boot) is taken back too.
        await ns.IpAsync("route", "replace", "10.2.0.0/24", "via", "10.0.0.77");
        await Until(watch.Changes, c => c is RouteChange { Removed: false, Route.Protocol: RouteProtocols.Routing } r && r.Route.Destination.ToString() == "10.2.0.0/24");
        Assert.Matches(@"10\.2\.0\.0/24 nhid \d+ via 10\.0\.0\.9 dev up0 proto 80", await ns.IpAsync("route", "show"));
    }

    [SkippableFact]
    public async Task Routes_of_other_protocols_are_left_alone()
    {
        await using var ns = await KernelNamespace.CreateAsync("foreign");
        await ns.AddUplinkAsync("up0", "10.0.0.1/24");
        await ns.IpAsync("route", "add", "10.4.0.0/24", "via", "10.0.0.7", "proto", "static");
        await ns.IpAsync("route", "add", "10.5.0.0/24", "via", "10.0.0.7", "proto", "bird");
        await ns.IpAsync("route", "add", "10.6.0.0/24", "via", "10.0.0.7", "proto", "80");  // ours by protocol, not wanted
        var before = await ns.IpAsync("route", "show", "10.4.0.0/24");
        using var table = RouteTable.Open(ns.Namespace);
        table.Set(Via("10.1.0.0/24", "10.0.0.9"));
        table.Set(Via("10.5.0.0/24", "10.0.0.9"));  // held by bird: a conflict

        var result = table.Apply();

        Assert.Equal((1, 0, 1), (result.Added, result.Replaced, result.Deleted));
        Assert.Equal("10.5.0.0/24 table 254 metric 0", Assert.Single(result.Conflicts).ToString());
        var shown = await ns.IpAsync("route", "show");
        Assert.Equal(before, await ns.IpAsync("route", "show", "10.4.0.0/24"));
        Assert.Contains("10.5.0.0/24 via 10.0.0.7 dev up0 proto bird", shown, StringComparison.Ordinal);
        Assert.Matches(@"10\.1\.0\.0/24 nhid \d+ via 10\.0\.0\.9 dev up0 proto 80", shown);
        Assert.DoesNotContain("10.6.0.0/24", shown, StringComparison.Ordinal);

        // Removing everything we want takes away only ours.
        table.SetAll([]);
        Assert.Equal(1, table.Apply().Deleted);
        shown = await ns.IpAsync("route", "show");
        Assert.Contains("10.4.0.0/24 via 10.0.0.7 dev up0 proto static", shown, StringComparison.Ordinal);
        Assert.Contains("10.5.0.0/24 via 10.0.0.7 dev up0 proto bird", shown, StringComparison.Ordinal);
        Assert.Empty((await ns.IpAsync("route", "show", "proto", "80")).Trim());
    }

    [SkippableFact]
    public async Task Every_route_kind_and_both_families_converge_and_stay_converged()
    {
        await using var ns = await KernelNamespace.CreateAsync("kinds");
        var uplink = await ns.AddUplinkAsync("up0", "10.0.0.1/24");
        await ns.IpAsync("-6", "address", "add", "2001:db8::1/64", "dev", "up0", "nodad");
        using var table = RouteTable.Open(ns.Namespace);
        Route[] routes =
        [
            Via("10.1.0.0/24", "10.0.0.9"),
            Route.Via(IPNetwork.Parse("10.2.0.0/24"), IPAddress.Parse("192.0.2.1"), uplink) with { OnLink = true },
            Route.Device(IPNetwork.Parse("10.3.0.0/24"), uplink),
            Route.Blackhole(IPNetwork.Parse("10.4.0.0/16")),
            Route.Unreachable(IPNetwork.Parse("10.5.0.0/16")) with { Table = 100 },
            Route.Multipath(IPNetwork.Parse("10.7.0.0/24"), new NextHop(IPAddress.Parse("10.0.0.2"), uplink), new NextHop(IPAddress.Parse("10.0.0.3"), uplink)) with { Metric = 10 },
            Via("2001:db8:1::/64", "2001:db8::9"),
            Route.Blackhole(IPNetwork.Parse("2001:db8:2::/64")),
            Route.Multipath(IPNetwork.Parse("2001:db8:3::/64"), new NextHop(IPAddress.Parse("2001:db8::2"), uplink), new NextHop(IPAddress.Parse("2001:db8::3"), uplink)),
        ];
        table.SetAll(routes);

        var first = table.Apply();
        Assert.Empty(first.Errors);
        Assert.Equal(routes.Length, first.Added);
        var again = table.Apply();
        Assert.Equal(0, again.Changed);
        Assert.Empty(again.Errors);
    }

    private static async Task Until(ChannelReader<NetlinkChange> changes, Func<NetlinkChange, bool> match)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await foreach (var change in changes.ReadAllAsync(timeout.Token))
        {
            if (match(change))
            {
                return;
            }
        }
    }
}
