using System.Net;
using Routing.Dataplane.Netlink;
using Routing.Dataplane.Routes;
using Routing.Dataplane.Tests.Kit;

namespace Routing.Dataplane.Tests.Routes;

/// <summary>
/// RTM_NEWROUTE bodies against the bytes iproute2 6.1 sends for the same command (captured with
/// <c>strace -xx -e sendmsg ip route add …</c>), and decode/encode round trips.
/// </summary>
public class RouteMessageTests
{
    private static byte[] Body(Route route)
    {
        var builder = new NetlinkMessageBuilder();
        RouteMessage.Write(builder, NetlinkMessageType.NewRoute, NetlinkMessageFlags.Create | NetlinkMessageFlags.Exclusive | NetlinkMessageFlags.Ack, 7, route);
        var reader = new NetlinkMessageReader(builder.Written);
        Assert.True(reader.TryRead(out var message));
        Assert.Equal(NetlinkMessageType.NewRoute, message.Type);
        Assert.Equal((NetlinkMessageFlags)0x605, message.Flags); // NLM_F_REQUEST|NLM_F_ACK|NLM_F_EXCL|NLM_F_CREATE, as iproute2
        Assert.Equal(7u, message.Sequence);
        Assert.False(reader.TryRead(out _));
        return message.Payload.ToArray();
    }

    [Fact]
    public void Via_gateway_in_a_table_with_a_protocol_matches_iproute2()
    {
        // ip route add 10.1.0.0/24 via 10.0.0.9 table 100 proto 80
        var route = Route.Via(IPNetwork.Parse("10.1.0.0/24"), IPAddress.Parse("10.0.0.9")) with { Table = 100, Protocol = 80 };
        Assert.Equal(
            Bytes.FromStrace(@"\x02\x18\x00\x00\x64\x50\x00\x01\x00\x00\x00\x00\x08\x00\x01\x00\x0a\x01\x00\x00\x08\x00\x05\x00\x0a\x00\x00\x09"),
            Body(route));
    }

    [Fact]
    public void Blackhole_matches_iproute2()
    {
        // ip route add blackhole 10.2.0.0/16
        Assert.Equal(
            Bytes.FromStrace(@"\x02\x10\x00\x00\xfe\x03\x00\x06\x00\x00\x00\x00\x08\x00\x01\x00\x0a\x02\x00\x00"),
            Body(Route.Blackhole(IPNetwork.Parse("10.2.0.0/16"))));
    }

    [Fact]
    public void Multipath_with_weights_matches_iproute2()
    {
        // ip route add 10.3.0.0/24 nexthop via 10.0.0.2 weight 1 nexthop via 10.0.0.3 weight 2
        var route = Route.Multipath(
            IPNetwork.Parse("10.3.0.0/24"),
            new NextHop(IPAddress.Parse("10.0.0.2")),
            new NextHop(IPAddress.Parse("10.0.0.3"), Weight: 2));
        Assert.Equal(
            Bytes.FromStrace(
                @"\x02\x18\x00\x00\xfe\x03\x00\x01\x00\x00\x00\x00\x08\x00\x01\x00\x0a\x03\x00\x00\x24\x00\x09\x00"
                + @"\x10\x00\x00\x00\x00\x00\x00\x00\x08\x00\x05\x00\x0a\x00\x00\x02\x10\x00\x00\x01\x00\x00\x00\x00\x08\x00\x05\x00\x0a\x00\x00\x03"),
            Body(route));
    }

    [Fact]
    public void Device_route_has_link_scope_and_the_interface()
    {
        var body = Body(Route.Device(IPNetwork.Parse("192.168.5.0/24"), 42));
        Assert.Equal((byte)RouteScope.Link, body[6]);
        Assert.True(RouteMessage.TryRead(body, out var read));
        Assert.Equal(42, read.InterfaceIndex);
        Assert.Equal(RouteScope.Link, read.EffectiveScope);
    }

    [Fact]
    public void Table_above_255_goes_in_RTA_TABLE()
    {
        var body = Body(Route.Blackhole(IPNetwork.Parse("10.9.0.0/16")) with { Table = 1000 });
        Assert.Equal(0, body[4]);
        Assert.True(RouteMessage.TryRead(body, out var read));
        Assert.Equal(1000u, read.Table);
    }

    public static TheoryData<string> RoundTripRoutes() =>
    [
        "via",
        "onlink",
        "v6-via",
        "v6-multipath",
        "unreachable",
        "default",
        "metric-src",
    ];

    [Theory]
    [MemberData(nameof(RoundTripRoutes))]
    public void Routes_round_trip(string which)
    {
        Route route = which switch
        {
            "via" => Route.Via(IPNetwork.Parse("10.1.0.0/24"), IPAddress.Parse("10.0.0.9"), 3) with { Protocol = 80, Table = 254 },
            "onlink" => Route.Via(IPNetwork.Parse("10.1.0.0/24"), IPAddress.Parse("192.0.2.1"), 3) with { OnLink = true },
            "v6-via" => Route.Via(IPNetwork.Parse("2001:db8:1::/64"), IPAddress.Parse("fe80::1"), 5) with { Metric = 1024 },
            "v6-multipath" => Route.Multipath(
                IPNetwork.Parse("2001:db8:2::/48"),
                new NextHop(IPAddress.Parse("2001:db8::1"), 2),
                new NextHop(IPAddress.Parse("2001:db8::2"), 2, Weight: 3)),
            "unreachable" => Route.Unreachable(IPNetwork.Parse("10.99.0.0/16")) with { Table = 5000 },
            "default" => Route.Via(IPNetwork.Parse("0.0.0.0/0"), IPAddress.Parse("10.0.0.1")),
            _ => Route.Via(IPNetwork.Parse("10.7.0.0/16"), IPAddress.Parse("10.0.0.1")) with { Metric = 20, Source = IPAddress.Parse("10.0.0.5") },
        };
        Assert.True(RouteMessage.TryRead(Body(route), out var read));
        Assert.True(route.IsSatisfiedBy(read), $"{route} read back as {read}");
        Assert.True(read.IsSatisfiedBy(route), $"{read} does not satisfy {route}");
    }

    [Fact]
    public void Satisfied_by_a_kernel_route_that_resolved_the_device()
    {
        var wanted = Route.Via(IPNetwork.Parse("10.1.0.0/24"), IPAddress.Parse("10.0.0.9"));
        Assert.True(wanted.IsSatisfiedBy(wanted with { InterfaceIndex = 4 }));
        Assert.False(wanted.IsSatisfiedBy(wanted with { Gateway = IPAddress.Parse("10.0.0.8") }));
        Assert.False(wanted.IsSatisfiedBy(wanted with { Protocol = 4 }));
        Assert.False((wanted with { InterfaceIndex = 3 }).IsSatisfiedBy(wanted with { InterfaceIndex = 4 }));
    }

    [Fact]
    public void Multipath_is_satisfied_whatever_the_order_of_its_paths()
    {
        var a = new NextHop(IPAddress.Parse("10.0.0.2"), 3);
        var b = new NextHop(IPAddress.Parse("10.0.0.3"), 3, Weight: 2);
        var wanted = Route.Multipath(IPNetwork.Parse("10.3.0.0/24"), a, b);
        Assert.True(wanted.IsSatisfiedBy(Route.Multipath(IPNetwork.Parse("10.3.0.0/24"), b, a)));
        Assert.False(wanted.IsSatisfiedBy(Route.Multipath(IPNetwork.Parse("10.3.0.0/24"), a, a)));
        Assert.False(wanted.IsSatisfiedBy(Route.Multipath(IPNetwork.Parse("10.3.0.0/24"), a)));
    }

    [Fact]
    public void Describes_itself_as_ip_route_does()
    {
        var route = Route.Via(IPNetwork.Parse("10.1.0.0/24"), IPAddress.Parse("10.0.0.9"));
        Assert.Equal("10.1.0.0/24 via 10.0.0.9 table 254", route.ToString());
        Assert.Equal("blackhole 10.2.0.0/16 table 254", Route.Blackhole(IPNetwork.Parse("10.2.0.0/16")).ToString());
    }

    [Fact]
    public void Reads_the_kernels_IPv4_multipath_route()
    {
        // The kernel's RTM_NEWROUTE in a dump (strace -xx -e recvmsg ip -4 route show) for
        // ip route add 10.3.0.0/24 proto 80 metric 7 nexthop via 10.0.0.2 dev v0 weight 1 nexthop via 10.0.0.3 dev v0 weight 2
        // with v0 (index 3) down: the kernel flags the route and each hop RTNH_F_LINKDOWN.
        var payload = Bytes.FromStrace(
            @"\x02\x18\x00\x00\xfe\x50\x00\x01\x10\x00\x00\x00\x08\x00\x0f\x00\xfe\x00\x00\x00\x08\x00\x01\x00\x0a\x03\x00\x00\x08\x00\x06\x00"
            + @"\x07\x00\x00\x00\x24\x00\x09\x00\x10\x00\x10\x00\x03\x00\x00\x00\x08\x00\x05\x00\x0a\x00\x00\x02\x10\x00\x10\x01\x03\x00\x00\x00"
            + @"\x08\x00\x05\x00\x0a\x00\x00\x03");
        Assert.True(RouteMessage.TryRead(payload, out var route));
        Assert.Equal(IPNetwork.Parse("10.3.0.0/24"), route.Destination);
        Assert.Equal((RouteTables.Main, (byte)80, 7u), (route.Table, route.Protocol, route.Metric));
        NextHop[] hops = [new NextHop(IPAddress.Parse("10.0.0.2"), 3, 1), new NextHop(IPAddress.Parse("10.0.0.3"), 3, 2)];
        Assert.Equal(hops, route.NextHops.ToArray());
        var wanted = Route.Multipath(IPNetwork.Parse("10.3.0.0/24"), new NextHop(IPAddress.Parse("10.0.0.2")), new NextHop(IPAddress.Parse("10.0.0.3"), Weight: 2)) with { Protocol = 80, Metric = 7 };
        Assert.True(wanted.IsSatisfiedBy(route));
    }

    [Fact]
    public void Reads_the_kernels_IPv6_route_in_a_table_above_255()
    {
        // ip -6 route add 2001:db8:1::/64 via 2001:db8::9 proto 80 table 300, as the kernel dumps it
        // (RTA_CACHEINFO and RTA_PREF included, metric 0 stored as 1024).
        var payload = Bytes.FromStrace(
            @"\x0a\x40\x00\x00\xfc\x50\x00\x01\x10\x00\x00\x00\x08\x00\x0f\x00\x2c\x01\x00\x00\x14\x00\x01\x00\x20\x01\x0d\xb8\x00\x01\x00\x00"
            + @"\x00\x00\x00\x00\x00\x00\x00\x00\x08\x00\x06\x00\x00\x04\x00\x00\x14\x00\x05\x00\x20\x01\x0d\xb8\x00\x00\x00\x00\x00\x00\x00\x00"
            + @"\x00\x00\x00\x09\x08\x00\x04\x00\x03\x00\x00\x00\x24\x00\x0c\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
            + @"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x05\x00\x14\x00\x00\x00\x00\x00");
        Assert.True(RouteMessage.TryRead(payload, out var route));
        Assert.Equal(IPNetwork.Parse("2001:db8:1::/64"), route.Destination);
        Assert.Equal((300u, (byte)80, 1024u, 3), (route.Table, route.Protocol, route.Metric, route.InterfaceIndex));
        Assert.Equal(IPAddress.Parse("2001:db8::9"), route.Gateway);
        var wanted = Route.Via(IPNetwork.Parse("2001:db8:1::/64"), IPAddress.Parse("2001:db8::9")) with { Protocol = 80, Table = 300 };
        Assert.True(wanted.IsSatisfiedBy(route));
        Assert.Equal(wanted.Key with { Metric = 1024 }, route.Key);
    }
}
