using System.Net;
using System.Text.RegularExpressions;
using Routing.Dataplane.Monitor;
using Routing.Dataplane.Routes;
using Routing.Dataplane.Tests.Kit;
using Xunit.Abstractions;

namespace Routing.Dataplane.Tests.Routes;

/// <summary>RouteTable's routes via gateways go through nexthop objects of its protocol, against a real kernel.</summary>
[Trait("Category", Categories.Netns)]
public class RouteTableNexthopTests(ITestOutputHelper output)
{
    private static Route Via(string cidr, string gateway) => Route.Via(IPNetwork.Parse(cidr), IPAddress.Parse(gateway));

    [SkippableFact]
    public async Task Routes_via_one_gateway_share_one_nexthop_of_the_agents_protocol_and_stay_converged()
    {
        await using var ns = await KernelNamespace.CreateAsync("nh-share");
        await ns.AddUplinkAsync("up0", "10.0.0.1/24");
        await ns.IpAsync("-6", "address", "add", "2001:db8::1/64", "dev", "up0", "nodad");
        using var table = RouteTable.Open(ns.Namespace);
        table.SetAll([Via("10.1.0.0/24", "10.0.0.9"), Via("10.2.0.0/24", "10.0.0.9"), Via("10.3.0.0/24", "10.0.0.8"), Via("2001:db8:1::/64", "2001:db8::9")]);

        var first = table.Apply();

        Assert.Empty(first.Errors);
        Assert.Equal(4, first.Added);
        var nexthops = await ns.IpAsync("nexthop", "show");
        output.WriteLine(nexthops);
        Assert.Equal(3, Lines(nexthops).Length);
        Assert.All(Lines(nexthops), line => Assert.Matches(@"^id \d+ via \S+ dev up0 scope link proto 80", line));
        var shown = await ns.IpAsync("route", "show", "proto", "80");
        var first9 = Regex.Match(shown, @"10\.1\.0\.0/24 nhid (\d+) via 10\.0\.0\.9 dev up0").Groups[1].Value;
        Assert.Matches($@"10\.2\.0\.0/24 nhid {first9} via 10\.0\.0\.9 dev up0", shown);
        Assert.Matches(@"10\.3\.0\.0/24 nhid \d+ via 10\.0\.0\.8 dev up0", shown);
        Assert.Matches(@"2001:db8:1::/64 nhid \d+ via 2001:db8::9 dev up0", await ns.IpAsync("-6", "route", "show", "proto", "80"));
        var converged = table.Apply();
        Assert.Equal((0, 0, 0), (converged.Added, converged.Replaced, converged.Deleted));

        // With the kernel's dumps leaving the gateways out, the table still knows its routes for what they are.
        await ns.NetNs.RunAsync("sysctl", "-qw", "net.ipv4.nexthop_compat_mode=0");
        var again = table.Apply();
        output.WriteLine(await ns.IpAsync("route", "show", "proto", "80"));
        Assert.Equal((0, 0, 0), (again.Added, again.Replaced, again.Deleted));
        Assert.Empty(again.Errors);
    }

    [SkippableFact]
    public async Task A_nexthop_nothing_goes_through_any_more_goes_with_its_routes_in_one_request()
    {
        await using var ns = await KernelNamespace.CreateAsync("nh-flush");
        await ns.AddUplinkAsync("up0", "10.0.0.1/24");
        using var table = RouteTable.Open(ns.Namespace);
        var routes = Enumerable.Range(0, 300).Select(i => Via($"10.{i / 256 + 1}.{i % 256}.0/24", "10.0.0.9")).ToList();
        table.SetAll([.. routes, Via("10.9.0.0/24", "10.0.0.8")]);
        Assert.Equal(301, table.Apply().Added);
        Assert.Equal(2, table.NexthopIds.Count);

        Assert.Equal(0, table.Apply().Changed);   // a resync: the table lists its nexthops again

        // Not a route deletion each: the kernel says nothing of routes that go with their nexthop.
        using var watch = NetlinkMonitor.Start(ns.Namespace, MonitorGroups.IPv4Routes);
        table.SetAll([Via("10.9.0.0/24", "10.0.0.8")]);
        var result = table.ApplyPending();
        await ns.IpAsync("route", "del", "10.9.0.0/24");
        var deletions = 0;
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
        {
            await foreach (var change in watch.Changes.ReadAllAsync(timeout.Token))
            {
                if (change is RouteChange { Removed: true } removal)
                {
                    if (removal.Route.Destination.ToString() == "10.9.0.0/24")
                    {
                        break;
                    }

                    deletions++;
                }
            }
        }

        Assert.Equal(0, deletions);
        Assert.Equal(300, result.Deleted);
        Assert.Empty(result.Errors);
        Assert.Single(table.NexthopIds);
        Assert.Single(Lines(await ns.IpAsync("nexthop", "show")));
        Assert.Empty((await ns.IpAsync("route", "show", "proto", "80")).Trim());
        Assert.Equal(1, table.Apply().Added);   // the one wanted, deleted by hand above, is back
        Assert.Matches(@"^10\.9\.0\.0/24 nhid \d+ via 10\.0\.0\.8 dev up0\s*$", await ns.IpAsync("route", "show", "proto", "80"));
    }

    [SkippableFact]
    public async Task A_nexthop_someone_deletes_is_put_back_with_its_routes()
    {
        await using var ns = await KernelNamespace.CreateAsync("nh-drift");
        await ns.AddUplinkAsync("up0", "10.0.0.1/24");
        using var table = RouteTable.Open(ns.Namespace);
        table.SetAll([Via("10.1.0.0/24", "10.0.0.9"), Via("10.2.0.0/24", "10.0.0.9")]);
        await using var running = new RunningTable(table);
        await UntilAsync(async () => Lines(await ns.IpAsync("route", "show", "proto", "80")).Length == 2);
        var id = Regex.Match(await ns.IpAsync("nexthop", "show"), @"^id (\d+)").Groups[1].Value;

        // The kernel takes the routes along without a notification for them: the table must notice.
        await ns.IpAsync("nexthop", "del", "id", id);
        await UntilAsync(async () => Lines(await ns.IpAsync("route", "show", "proto", "80")).Length == 2);

        var shown = await ns.IpAsync("route", "show", "proto", "80");
        Assert.Matches(@"10\.1\.0\.0/24 nhid \d+ via 10\.0\.0\.9", shown);
        Assert.Matches(@"10\.2\.0\.0/24 nhid \d+ via 10\.0\.0\.9", shown);
    }

    [SkippableFact]
    public async Task Routes_of_ours_that_name_their_gateway_are_kept_and_deleted_as_they_are()
    {
        // Installed before the table used nexthops (or by another writer of our protocol).
        await using var ns = await KernelNamespace.CreateAsync("nh-plain");
        await ns.AddUplinkAsync("up0", "10.0.0.1/24");
        await ns.IpAsync("route", "add", "10.1.0.0/24", "via", "10.0.0.9", "proto", "80");
        using var table = RouteTable.Open(ns.Namespace);
        table.SetAll([Via("10.1.0.0/24", "10.0.0.9"), Via("10.2.0.0/24", "10.0.0.9")]);

        var first = table.Apply();
        Assert.Equal((1, 0, 0), (first.Added, first.Replaced, first.Deleted));
        var shown = await ns.IpAsync("route", "show", "proto", "80");
        Assert.Contains("10.1.0.0/24 via 10.0.0.9 dev up0", shown, StringComparison.Ordinal);
        Assert.Matches(@"10\.2\.0\.0/24 nhid \d+ via 10\.0\.0\.9", shown);

        // The plain route goes though the table's nexthop for its gateway stays (another route wants it).
        table.Remove(Via("10.1.0.0/24", "10.0.0.9"));
        var removed = table.ApplyPending();
        Assert.Equal(1, removed.Deleted);
        Assert.Empty(removed.Errors);
        shown = await ns.IpAsync("route", "show", "proto", "80");
        Assert.DoesNotContain("10.1.0.0/24", shown, StringComparison.Ordinal);
        Assert.Matches(@"10\.2\.0\.0/24 nhid \d+ via 10\.0\.0\.9", shown);
    }

    [SkippableFact]
    public async Task A_big_batch_goes_with_the_monitor_deaf_is_checked_by_a_dump_and_drift_is_heard_again_after()
    {
        await using var ns = await KernelNamespace.CreateAsync("nh-deaf");
        await ns.AddUplinkAsync("up0", "10.0.0.1/24");
        using var table = RouteTable.Open(ns.Namespace, new RouteTableOptions { DeafBatchSize = 1000 });
        table.SetAll(Enumerable.Range(0, 1500).Select(i => Via($"10.{i / 256 + 1}.{i % 256}.0/24", "10.0.0.9")));

        var result = table.ApplyPending();

        Assert.Equal(1500, result.Added);
        Assert.True(result.FullResync, "the deaf batch is followed by a checking dump");
        Assert.Empty(result.Errors);
        Assert.Equal(1500, Lines(await ns.IpAsync("route", "show", "proto", "80")).Length);

        await using var running = new RunningTable(table);
        await ns.IpAsync("route", "del", "10.1.7.0/24");
        await UntilAsync(async () => (await ns.IpAsync("route", "show", "10.1.7.0/24")).Contains("via 10.0.0.9", StringComparison.Ordinal));
        Assert.True(table.Repairs >= 1);
    }

    [SkippableFact]
    public async Task Tables_of_one_protocol_split_by_kernel_table_never_delete_each_others_routes()
    {
        await using var ns = await KernelNamespace.CreateAsync("nh-split");
        await ns.AddUplinkAsync("up0", "10.0.0.1/24");
        using var main = RouteTable.Open(ns.Namespace, new RouteTableOptions { Tables = new HashSet<uint> { RouteTables.Main } });
        using var other = RouteTable.Open(ns.Namespace, new RouteTableOptions { Tables = new HashSet<uint> { 100 } });
        main.Set(Via("10.1.0.0/24", "10.0.0.9"));
        other.Set(Via("10.1.0.0/24", "10.0.0.9") with { Table = 100 });
        Assert.Equal(1, main.Apply().Added);
        Assert.Equal(1, other.Apply().Added);

        main.SetAll([]);
        Assert.Equal(1, main.Apply().Deleted);
        Assert.Equal(0, other.Apply().Changed);

        Assert.Matches(@"10\.1\.0\.0/24 nhid \d+ via 10\.0\.0\.9 dev up0", await ns.IpAsync("route", "show", "table", "100"));
        Assert.Empty((await ns.IpAsync("route", "show", "proto", "80")).Trim());

        // Its own nexthop survives its resyncs, and goes when nothing of its goes through it.
        Assert.Equal(0, other.Apply().Changed);
        Assert.Single(other.NexthopIds);
        other.SetAll([]);
        Assert.Equal(1, other.Apply().Deleted);
        Assert.Empty(other.NexthopIds);
        Assert.Empty((await ns.IpAsync("nexthop", "show")).Trim());
    }

    [SkippableFact]
    public async Task Without_nexthop_objects_routes_name_their_gateways()
    {
        await using var ns = await KernelNamespace.CreateAsync("nh-off");
        await ns.AddUplinkAsync("up0", "10.0.0.1/24");
        using var table = RouteTable.Open(ns.Namespace, new RouteTableOptions { NexthopObjects = false });
        table.Set(Via("10.1.0.0/24", "10.0.0.9"));

        Assert.Equal(1, table.Apply().Added);

        Assert.Contains("10.1.0.0/24 via 10.0.0.9 dev up0 proto 80", await ns.IpAsync("route", "show"), StringComparison.Ordinal);
        Assert.Empty((await ns.IpAsync("nexthop", "show")).Trim());
        Assert.Empty(table.NexthopIds);
    }

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static async Task UntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "not within 10 s");
            await Task.Delay(20);
        }
    }
}
