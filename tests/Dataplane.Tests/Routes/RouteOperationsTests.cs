using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Routing.Dataplane.Native;
using Routing.Dataplane.Netlink;
using Routing.Dataplane.Routes;
using Routing.Dataplane.Tests.Kit;

namespace Routing.Dataplane.Tests.Routes;

[Trait("Category", Categories.Netns)]
public class RouteOperationsTests
{
    private static IPNetwork Net(string cidr) => IPNetwork.Parse(cidr);

    private static IPAddress Ip(string address) => IPAddress.Parse(address);

    [SkippableFact]
    public async Task Every_route_kind_is_added_and_listed_as_ip_route_shows_it()
    {
        await using var ns = await KernelNamespace.CreateAsync("routes");
        var uplink = await ns.AddUplinkAsync("up0", "10.0.0.1/24");
        await ns.IpAsync("-6", "address", "add", "2001:db8::1/64", "dev", "up0", "nodad");
        var routes = ns.Kernel.Routes;

        Route[] wanted =
        [
            Route.Via(Net("10.1.0.0/24"), Ip("10.0.0.9")) with { Protocol = 80 },
            Route.Via(Net("10.2.0.0/24"), Ip("192.0.2.1"), uplink) with { OnLink = true, Protocol = 80 },
            Route.Device(Net("10.3.0.0/24"), uplink) with { Protocol = 80 },
            Route.Blackhole(Net("10.4.0.0/16")) with { Protocol = 80 },
            Route.Unreachable(Net("10.5.0.0/16")) with { Protocol = 80 },
            Route.Via(Net("10.6.0.0/24"), Ip("10.0.0.9")) with { Table = 100, Metric = 50, Protocol = 80 },
            Route.Multipath(Net("10.7.0.0/24"), new NextHop(Ip("10.0.0.2"), uplink), new NextHop(Ip("10.0.0.3"), uplink, Weight: 2)) with { Protocol = 80 },
            Route.Via(Net("2001:db8:1::/64"), Ip("2001:db8::9")) with { Protocol = 80 },
            Route.Blackhole(Net("2001:db8:2::/64")) with { Protocol = 80 },
            Route.Multipath(Net("2001:db8:3::/64"), new NextHop(Ip("2001:db8::2"), uplink), new NextHop(Ip("2001:db8::3"), uplink)) with { Protocol = 80 },
        ];
        foreach (var route in wanted)
        {
            routes.Add(route);
        }

        var ours = routes.List(protocol: 80);
        foreach (var route in wanted)
        {
            Assert.Contains(ours, r => route.IsSatisfiedBy(r));
        }

        Assert.Equal(wanted.Length, ours.Count);
        Assert.Single(routes.List(AddressFamily.InterNetwork, table: 100));
        Assert.Equal(3, routes.List(AddressFamily.InterNetworkV6, protocol: 80).Count);

        // iproute2 agrees.
        var shown = await ns.IpAsync("-j", "route", "show", "proto", "80");
        var byPrefix = JsonDocument.Parse(shown).RootElement.EnumerateArray().ToDictionary(e => e.GetProperty("dst").GetString()!);
        Assert.Equal("10.0.0.9", byPrefix["10.1.0.0/24"].GetProperty("gateway").GetString());
        Assert.Contains("onlink", byPrefix["10.2.0.0/24"].GetProperty("flags").EnumerateArray().Select(f => f.GetString()));
        Assert.Equal("link", byPrefix["10.3.0.0/24"].GetProperty("scope").GetString());
        Assert.Equal("blackhole", byPrefix["10.4.0.0/16"].GetProperty("type").GetString());
        Assert.Equal("unreachable", byPrefix["10.5.0.0/16"].GetProperty("type").GetString());
        Assert.Equal(2, byPrefix["10.7.0.0/24"].GetProperty("nexthops").GetArrayLength());
        var inTable = JsonDocument.Parse(await ns.IpAsync("-j", "route", "show", "table", "100")).RootElement[0];
        Assert.Equal(50, inTable.GetProperty("metric").GetInt32());
        var six = await ns.IpAsync("-j", "-6", "route", "show", "proto", "80");
        Assert.Contains("2001:db8:3::/64", six, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task Replace_changes_the_gateway_and_delete_removes_only_a_matching_protocol()
    {
        await using var ns = await KernelNamespace.CreateAsync("replace");
        await ns.AddUplinkAsync("up0", "10.0.0.1/24");
        var routes = ns.Kernel.Routes;
        var route = Route.Via(Net("10.1.0.0/24"), Ip("10.0.0.9")) with { Protocol = 80 };
        routes.Add(route);
        var duplicate = Assert.Throws<NetlinkException>(() => routes.Add(route));
        Assert.Equal(Errno.EEXIST, duplicate.Errno);

        routes.Replace(route with { Gateway = Ip("10.0.0.8") });
        Assert.Equal(Ip("10.0.0.8"), Assert.Single(routes.List(protocol: 80)).Gateway);

        var wrongOwner = Assert.Throws<NetlinkException>(() => routes.Delete(route with { Gateway = Ip("10.0.0.8"), Protocol = 4 }));
        Assert.Equal(Errno.ESRCH, wrongOwner.Errno);
        routes.Delete(route with { Gateway = Ip("10.0.0.8") });
        Assert.Empty(routes.List(protocol: 80));
    }

    [SkippableFact]
    public async Task A_refused_route_names_the_request_and_the_errno()
    {
        await using var ns = await KernelNamespace.CreateAsync("refused");
        var e = Assert.Throws<NetlinkException>(() => ns.Kernel.Routes.Add(Route.Via(Net("10.1.0.0/24"), Ip("10.0.0.9"))));
        Assert.StartsWith("add route 10.1.0.0/24 via 10.0.0.9 table 254: Network is unreachable (ENETUNREACH)", e.Message, StringComparison.Ordinal);
        Assert.Equal(Errno.ENETUNREACH, e.Errno);
    }

    [SkippableFact]
    public async Task A_batch_of_ten_thousand_routes_reports_the_one_bad_request_by_its_index()
    {
        await using var ns = await KernelNamespace.CreateAsync("batch");
        await ns.AddUplinkAsync("up0", "10.0.0.1/24");
        var batch = new RouteBatch();
        const int Count = 10_000;
        const int Bad = 6_789;
        for (var i = 0; i < Count; i++)
        {
            var destination = new IPNetwork(new IPAddress(new byte[] { 20, (byte)(i >> 8), (byte)i, 0 }), 24);
            batch.Add(Route.Via(destination, Ip(i == Bad ? "10.9.9.9" : "10.0.0.9")) with { Protocol = 80 });
        }

        var result = ns.Kernel.Routes.Send(batch, messagesPerDatagram: 512);

        var error = Assert.Single(result.Errors);
        Assert.Equal(Bad, error.Index);
        Assert.Equal(Errno.ENETUNREACH, error.Errno);
        Assert.StartsWith($"add route 20.26.133.0/24 via 10.9.9.9 table 254: Network is unreachable (ENETUNREACH)", error.Message, StringComparison.Ordinal);
        Assert.Equal(Count - 1, ns.Kernel.Routes.List(AddressFamily.InterNetwork, protocol: 80).Count);
        var shown = await ns.IpAsync("route", "show", "proto", "80");
        Assert.Equal(Count - 1, shown.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);

        // The same batch again: every request is now a duplicate, and every one is reported.
        var again = ns.Kernel.Routes.Send(batch);
        Assert.Equal(Count, again.Errors.Count);
        Assert.Equal(Enumerable.Range(0, Count), again.Errors.Select(e => e.Index));
    }

    [SkippableFact]
    public async Task Deletes_by_key_remove_only_the_named_protocols_routes_and_name_a_missing_one()
    {
        await using var ns = await KernelNamespace.CreateAsync("keydel");
        await ns.AddUplinkAsync("up0", "10.0.0.1/24");
        await ns.IpAsync("-6", "address", "add", "2001:db8::1/64", "dev", "up0", "nodad");
        var routes = ns.Kernel.Routes;
        routes.Add(Route.Via(Net("10.1.0.0/24"), Ip("10.0.0.9")) with { Protocol = 80 });
        routes.Add(Route.Via(Net("10.2.0.0/24"), Ip("10.0.0.9")) with { Protocol = 80, Table = 1000, Metric = 20 });
        routes.Add(Route.Via(Net("2001:db8:1::/64"), Ip("2001:db8::9")) with { Protocol = 80 });
        routes.Add(Route.Via(Net("10.3.0.0/24"), Ip("10.0.0.9")) with { Protocol = 4 });

        var batch = new RouteBatch()
            .Delete(PackedRouteKey.IPv4(0x0a010000, 24), 80)
            .Delete(PackedRouteKey.IPv4(0x0a020000, 24, table: 1000, metric: 20), 80)
            .Delete(PackedRouteKey.From(new RouteKey(RouteTables.Main, Net("2001:db8:1::/64"), 1024)), 80)
            .Delete(PackedRouteKey.IPv4(0x0a030000, 24), 80);          // protocol 4's: not ours to delete
        var result = ns.Kernel.Routes.Send(batch);

        var error = Assert.Single(result.Errors);
        Assert.Equal((3, Errno.ESRCH), (error.Index, error.Errno));
        Assert.StartsWith("delete route 10.3.0.0/24 table 254 metric 0 proto 80: ", error.Message, StringComparison.Ordinal);
        Assert.Empty(routes.List(protocol: 80));
        Assert.Equal(Net("10.3.0.0/24"), Assert.Single(routes.List(protocol: 4)).Destination);
    }
}
