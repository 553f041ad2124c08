using System.Net;
using System.Threading.Channels;
using Routing.Dataplane.Monitor;
using Routing.Dataplane.Native;
using Routing.Dataplane.Routes;
using Routing.TestKit.Time;

namespace Routing.Dataplane.Tests.Routes;

/// <summary>RouteTable's diffing and repair against an in-memory kernel and a manual clock.</summary>
public class RouteTableTests
{
    private const byte Ours = RouteProtocols.Routing;

    private static Route Via(string cidr, string gateway, byte protocol = Ours) =>
        Route.Via(IPNetwork.Parse(cidr), IPAddress.Parse(gateway)) with { Protocol = protocol };

    [Fact]
    public void Apply_changes_only_the_difference_and_never_another_owners_routes()
    {
        var kernel = new FakeKernelRoutes();
        kernel.Put(Via("10.1.0.0/24", "10.0.0.1"));                 // ours, wanted as is
        kernel.Put(Via("10.2.0.0/24", "10.0.0.1"));                 // ours, no longer wanted
        kernel.Put(Via("10.3.0.0/24", "10.0.0.1"));                 // ours, gateway changes
        kernel.Put(Via("10.4.0.0/24", "10.0.0.7", RouteProtocols.Static)); // someone else's
        using var table = new RouteTable(kernel, null);
        table.Set(Via("10.1.0.0/24", "10.0.0.1"));
        table.Set(Via("10.3.0.0/24", "10.0.0.2"));
        table.Set(Via("10.5.0.0/24", "10.0.0.1", protocol: 0));     // the table's protocol is applied

        var result = table.Apply();

        Assert.Equal((1, 1, 1), (result.Added, result.Replaced, result.Deleted));
        Assert.Empty(result.Errors);
        Assert.Equal(3, Assert.Single(kernel.Batches).Count);
        Assert.Equal(
            ["10.1.0.0/24 via 10.0.0.1", "10.3.0.0/24 via 10.0.0.2", "10.4.0.0/24 via 10.0.0.7", "10.5.0.0/24 via 10.0.0.1"],
            kernel.Routes.Select(r => $"{r.Destination} via {r.Gateway}").Order());
        Assert.Equal(RouteProtocols.Static, kernel.Routes.Single(r => r.Destination.ToString() == "10.4.0.0/24").Protocol);
        Assert.All(kernel.Routes.Where(r => r.Destination.ToString() != "10.4.0.0/24"), r => Assert.Equal(Ours, r.Protocol));

        // Nothing left to do.
        Assert.Equal(0, table.Apply().Changed);
        Assert.Single(kernel.Batches);
    }

    [Fact]
    public void A_full_resync_keeps_routes_in_place_as_wanted_and_replaces_one_that_differs_in_any_field()
    {
        var kernel = new FakeKernelRoutes();
        var gateway = IPAddress.Parse("10.0.0.1");
        var hops = new[] { new NextHop(gateway, 2), new NextHop(IPAddress.Parse("10.0.0.2"), 2) };
        Route[] wanted =
        [
            Via("10.1.0.0/24", "10.0.0.1"),
            Via("10.2.0.0/24", "10.0.0.1"),
            Via("10.3.0.0/24", "10.0.0.1") with { OnLink = true, InterfaceIndex = 2 },
            Route.Via(IPNetwork.Parse("fd00:1::/64"), IPAddress.Parse("fd00::1")) with { Protocol = Ours },
            Route.Blackhole(IPNetwork.Parse("10.5.0.0/24")) with { Protocol = Ours },
            Route.Multipath(IPNetwork.Parse("10.6.0.0/24"), hops) with { Protocol = Ours },
            Via("10.7.0.0/24", "10.0.0.1") with { Source = IPAddress.Parse("10.0.0.5") },
            Route.Device(IPNetwork.Parse("10.8.0.0/24"), 4) with { Protocol = Ours },
            Via("10.9.0.0/24", "10.0.0.1") with { Metric = 20 },
        ];
        kernel.Put(wanted[0] with { InterfaceIndex = 3 });                 // the device was left open
        kernel.Put(wanted[1] with { Gateway = IPAddress.Parse("10.0.0.2") });
        kernel.Put(wanted[2] with { OnLink = false });
        kernel.Put(wanted[3] with { Metric = 1024 });                      // IPv6 keeps metric 0 as 1024
        kernel.Put(Route.Unreachable(IPNetwork.Parse("10.5.0.0/24")) with { Protocol = Ours });
        kernel.Put(wanted[5] with { NextHops = [.. hops.Reverse()] });     // paths listed in another order
        kernel.Put(wanted[6] with { Source = IPAddress.Parse("10.0.0.6") });
        kernel.Put(wanted[7] with { InterfaceIndex = 5 });
        kernel.Put(wanted[8] with { Metric = 0 });                         // another key: deleted, and ours added
        using var table = new RouteTable(kernel, null);
        table.SetAll(wanted);

        var result = table.Apply();

        Assert.Equal((1, 5, 1), (result.Added, result.Replaced, result.Deleted));
        Assert.Equal(
            ["10.2.0.0/24", "10.3.0.0/24", "10.5.0.0/24", "10.7.0.0/24", "10.8.0.0/24"],
            Enumerable.Range(0, kernel.Batches[0].Count).Where(i => kernel.Batches[0].KindOf(i) == RouteChangeKind.Replace)
                .Select(i => kernel.Batches[0][i].Destination.ToString()).Order());
        Assert.Equal(0, table.Apply().Changed);
    }

    [Fact]
    public void Routes_another_writer_owns_are_left_alone_even_with_the_tables_protocol()
    {
        var kernel = new FakeKernelRoutes();
        var podRoute = new Route { Destination = IPNetwork.Parse("10.244.1.5/32"), InterfaceIndex = 7, Scope = RouteScope.Link, Protocol = Ours };
        kernel.Put(podRoute);
        kernel.Put(Via("10.2.0.0/24", "10.0.0.1"));
        using var table = new RouteTable(kernel, null, new RouteTableOptions { LeaveAlone = r => r.Gateway is null && r.Destination.PrefixLength == 32 });

        var result = table.Apply();

        Assert.Equal(1, result.Deleted);
        Assert.Equal(["10.244.1.5/32"], kernel.Routes.Select(r => r.Destination.ToString()));
        Assert.Throws<ArgumentException>(() => table.Set(podRoute));
    }

    [Fact]
    public void Two_tables_with_one_protocol_keep_to_their_own_tables()
    {
        var kernel = new FakeKernelRoutes();
        using var main = new RouteTable(kernel, null, new RouteTableOptions { Tables = new HashSet<uint> { RouteTables.Main } });
        using var other = new RouteTable(kernel, null, new RouteTableOptions { Tables = new HashSet<uint> { 100 } });
        main.Set(Via("10.1.0.0/24", "10.0.0.1"));
        other.Set(Via("10.2.0.0/24", "10.0.0.1") with { Table = 100 });
        Assert.Throws<ArgumentException>(() => main.Set(Via("10.3.0.0/24", "10.0.0.1") with { Table = 100 }));

        main.Apply();
        other.Apply();
        Assert.Equal(0, main.Apply().Changed);
        Assert.Equal(2, kernel.Routes.Count);
    }

    [Fact]
    public void A_key_another_owner_holds_is_a_conflict_until_they_let_go()
    {
        var kernel = new FakeKernelRoutes();
        var changes = Channel.CreateUnbounded<NetlinkChange>();
        var foreign = Via("10.4.0.0/24", "10.0.0.7", RouteProtocols.Bird);
        kernel.Put(foreign);
        using var table = new RouteTable(kernel, changes.Reader);
        table.Set(Via("10.4.0.0/24", "10.0.0.1"));

        var result = table.Apply();
        Assert.Equal(0, result.Changed);
        Assert.Equal([RouteTable.KeyOf(foreign)], result.Conflicts);
        Assert.Equal(RouteProtocols.Bird, Assert.Single(kernel.Routes).Protocol);

        kernel.Drop(foreign);
        changes.Writer.TryWrite(new RouteChange(foreign, Removed: true));
        var after = table.ApplyPending();
        Assert.Equal(1, after.Added);
        Assert.Empty(after.Conflicts);
        Assert.Equal(Ours, Assert.Single(kernel.Routes).Protocol);
    }

    [Fact]
    public void A_route_deleted_behind_its_back_is_put_back_without_a_dump()
    {
        var kernel = new FakeKernelRoutes();
        var changes = Channel.CreateUnbounded<NetlinkChange>();
        using var table = new RouteTable(kernel, changes.Reader);
        var route = Via("10.1.0.0/24", "10.0.0.1");
        table.Set(route);
        table.Apply();
        var dumps = kernel.ListCalls;

        kernel.Drop(route);
        changes.Writer.TryWrite(new RouteChange(route, Removed: true));
        var repaired = table.ApplyPending();

        Assert.Equal(1, repaired.Added);
        Assert.False(repaired.FullResync);
        Assert.Equal(dumps, kernel.ListCalls);
        Assert.Equal(1, table.Repairs);
        Assert.Single(kernel.Routes);
    }

    [Fact]
    public void A_route_replaced_by_another_protocol_is_taken_back()
    {
        var kernel = new FakeKernelRoutes();
        var changes = Channel.CreateUnbounded<NetlinkChange>();
        using var table = new RouteTable(kernel, changes.Reader);
        var route = Via("10.1.0.0/24", "10.0.0.1");
        table.Set(route);
        table.Apply();

        var intruder = Via("10.1.0.0/24", "10.0.0.9", RouteProtocols.Boot);
        kernel.Put(intruder);
        changes.Writer.TryWrite(new RouteChange(intruder, Removed: false));
        var repaired = table.ApplyPending();

        Assert.Equal(1, repaired.Replaced);
        Assert.Equal(IPAddress.Parse("10.0.0.1"), Assert.Single(kernel.Routes).Gateway);
    }

    [Fact]
    public void Link_down_and_overflow_ask_for_a_full_resync()
    {
        var kernel = new FakeKernelRoutes();
        var changes = Channel.CreateUnbounded<NetlinkChange>();
        using var table = new RouteTable(kernel, changes.Reader);
        table.Apply();
        changes.Writer.TryWrite(new MonitorOverflow());
        Assert.True(table.ApplyPending().FullResync);
        changes.Writer.TryWrite(new LinkChange(new Routing.Dataplane.Links.Link { Index = 3, Name = "eth0", Flags = 0 }, Removed: false));
        Assert.True(table.ApplyPending().FullResync);
        Assert.False(table.ApplyPending().FullResync);
    }

    [Fact]
    public async Task Bursts_are_coalesced_into_one_batch_and_refused_requests_retried()
    {
        var kernel = new FakeKernelRoutes();
        var time = new ManualTimeProvider();
        var options = new RouteTableOptions { TimeProvider = time, CoalesceDelay = TimeSpan.FromMilliseconds(5), RetryDelay = TimeSpan.FromSeconds(1) };
        using var table = new RouteTable(kernel, null, options);
        var applied = Channel.CreateUnbounded<RouteTableApplyResult>();
        table.Applied += r => applied.Writer.TryWrite(r);
        using var stop = new CancellationTokenSource();
        var loop = Task.Run(() => table.RunAsync(stop.Token));
        await WaitUntil(() => kernel.ListCalls == 1);

        kernel.Refuse[IPNetwork.Parse("10.0.7.0/24")] = Errno.ENETDOWN;
        for (var i = 0; i < 100; i++)
        {
            table.Set(Via($"10.0.{i}.0/24", "192.168.0.1"));
        }

        var first = await NextApply(applied, time, TimeSpan.FromMilliseconds(5));
        Assert.Equal(99, first.Added);
        Assert.Contains("ENETDOWN", Assert.Single(first.Errors).Message, StringComparison.Ordinal);
        Assert.Single(kernel.Batches);

        var retried = await NextApply(applied, time, TimeSpan.FromMilliseconds(200));
        Assert.Equal(1, retried.Added);
        Assert.Equal(100, kernel.Routes.Count);
        Assert.True(time.GetUtcNow() - new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero) >= TimeSpan.FromSeconds(1));

        await stop.CancelAsync();
        await loop;
    }

    private static async Task<RouteTableApplyResult> NextApply(Channel<RouteTableApplyResult> applied, ManualTimeProvider time, TimeSpan step)
    {
        for (var i = 0; i < 2000; i++)
        {
            if (applied.Reader.TryRead(out var result))
            {
                return result;
            }

            time.Advance(step);
            await Task.Delay(2);
        }

        throw new TimeoutException("no apply");
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        for (var i = 0; i < 1000 && !condition(); i++)
        {
            await Task.Delay(5);
        }

        Assert.True(condition());
        await Task.Delay(20);
    }
}
