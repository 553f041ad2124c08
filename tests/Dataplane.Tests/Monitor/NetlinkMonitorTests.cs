using System.Net;
using System.Threading.Channels;
using Routing.Dataplane.Addresses;
using Routing.Dataplane.Links;
using Routing.Dataplane.Monitor;
using Routing.Dataplane.Routes;
using Routing.Dataplane.Tests.Kit;

namespace Routing.Dataplane.Tests.Monitor;

[Trait("Category", Categories.Netns)]
public class NetlinkMonitorTests
{
    [SkippableFact]
    public async Task Sees_links_addresses_and_routes_change_in_its_namespace()
    {
        await using var ns = await KernelNamespace.CreateAsync("monitor");
        using var monitor = NetlinkMonitor.Start(ns.Namespace);

        await ns.IpAsync("link", "add", "d0", "type", "veth", "peer", "name", "d1");
        await ns.IpAsync("link", "set", "d0", "up");
        await ns.IpAsync("address", "add", "10.0.0.1/24", "dev", "d0");
        await ns.IpAsync("-6", "address", "add", "2001:db8::1/64", "dev", "d0", "nodad");
        await ns.IpAsync("route", "add", "10.9.0.0/16", "via", "10.0.0.2", "proto", "80");
        await ns.IpAsync("-6", "route", "add", "2001:db8:9::/48", "via", "2001:db8::2");
        await ns.IpAsync("route", "del", "10.9.0.0/16");
        await ns.IpAsync("link", "del", "d0");

        var seen = await Collect(monitor.Changes, c => c is LinkChange { Removed: true, Link.Name: "d0" });
        Assert.Contains(seen, c => c is LinkChange { Removed: false, Link.Name: "d0", Link.Kind: "veth" });
        Assert.Contains(seen, c => c is AddressChange { Removed: false } a && a.Address.Address.Equals(IPAddress.Parse("10.0.0.1")));
        Assert.Contains(seen, c => c is AddressChange { Removed: false } a && a.Address.Address.Equals(IPAddress.Parse("2001:db8::1")));
        Assert.Contains(seen, c => c is RouteChange { Removed: false, Route.Protocol: 80 } r && r.Route.Destination.ToString() == "10.9.0.0/16");
        Assert.Contains(seen, c => c is RouteChange { Removed: true } r && r.Route.Destination.ToString() == "10.9.0.0/16");
        Assert.Contains(seen, c => c is RouteChange { Removed: false } r && r.Route.Destination.ToString() == "2001:db8:9::/48");
    }

    [SkippableFact]
    public async Task Sees_nothing_from_other_namespaces()
    {
        await using var watched = await KernelNamespace.CreateAsync("watched");
        await using var other = await KernelNamespace.CreateAsync("other");
        using var monitor = NetlinkMonitor.Start(watched.Namespace);
        other.Kernel.Links.Create(new BridgeSpec("br-other"));
        watched.Kernel.Links.Create(new BridgeSpec("br-here"));
        var seen = await Collect(monitor.Changes, c => c is LinkChange { Link.Name: "br-here" });
        Assert.DoesNotContain(seen, c => c is LinkChange { Link.Name: "br-other" });
    }

    private static async Task<List<NetlinkChange>> Collect(ChannelReader<NetlinkChange> changes, Func<NetlinkChange, bool> last)
    {
        var seen = new List<NetlinkChange>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await foreach (var change in changes.ReadAllAsync(timeout.Token))
        {
            seen.Add(change);
            if (last(change))
            {
                break;
            }
        }

        return seen;
    }
}
