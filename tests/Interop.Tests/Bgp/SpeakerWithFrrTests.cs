using System.Globalization;
using System.Text.Json;
using Routing.TestKit.Daemons;
using Routing.TestKit.Processes;

namespace Routing.Interop.Tests.Bgp;

/// <summary>Routing's speaker against FRR's bgpd routers.</summary>
[Trait("Category", "Netns")]
public sealed class SpeakerWithFrrTests(FrrLab lab) : SpeakerInteropTests<FrrLab>(lab), IClassFixture<FrrLab>
{
}

/// <summary>One bgpd per session (a bgpd has one AS, and would pass routes between its neighbours).</summary>
public sealed class FrrLab() : DaemonLab(subnet: 31)
{
    private readonly Dictionary<Peering, FrrDaemon> routers = [];

    private string RouterBgp(Peering p)
    {
        var us = S.OurAddress;
        var keepalive = Math.Max(1, p.HoldTime / 3);
        var attributes = string.Concat(
            p.Med is { } med ? $"\n set metric {med}" : string.Empty,
            p.Community is { } c ? $"\n set community {c >> 16}:{c & 0xffff}" : string.Empty,
            p.LocalPref is { } lp ? $"\n set local-preference {lp}" : string.Empty);
        return $"""
            router bgp {p.RouterAs}
             bgp router-id {p.Router.Address}
             bgp log-neighbor-changes
             coalesce-time 100
             no bgp ebgp-requires-policy
             no bgp network import-check
             neighbor {us} remote-as {p.RouterExpectsAs}
             neighbor {us} timers {keepalive} {p.HoldTime}
             neighbor {us} timers connect 1
             address-family ipv4 unicast
              network {p.Prefix4} route-map ATTRS
             exit-address-family
             address-family ipv6 unicast
              network {p.Prefix6} route-map ATTRS
              neighbor {us} activate
              neighbor {us} route-map V6NH out
             exit-address-family
            exit
            route-map ATTRS permit 10{attributes}
            exit
            route-map V6NH permit 10
             set ipv6 next-hop global {p.Router.Address6}
            exit
            """;
    }

    private protected override async Task StartRoutersAsync(IReadOnlyList<Peering> sessions)
    {
        var started = await Task.WhenAll(sessions.Select(async p => (p, Lab.Add(await FrrDaemon.StartAsync(p.Router.Ns, RouterBgp(p))))));
        foreach (var (p, frr) in started)
        {
            routers[p] = frr;
        }
    }

    internal override async Task<bool> RouterEstablishedAsync(Peering p) =>
        await routers[p].NeighborStateAsync(S.OurAddress) == "Established";

    internal override async Task<IReadOnlyDictionary<string, SeenRoute>> RoutesFromUsAsync(Peering p)
    {
        Dictionary<string, SeenRoute> seen = [];
        foreach (var family in new[] { "ipv4", "ipv6" })
        {
            using var json = JsonDocument.Parse(await routers[p].VtyshAsync($"show bgp {family} unicast json"));
            if (!json.RootElement.TryGetProperty("routes", out var routes))
            {
                continue;
            }

            foreach (var route in routes.EnumerateObject())
            {
                foreach (var path in route.Value.EnumerateArray().Where(path => path.GetProperty("peerId").GetString() == S.OurAddress))
                {
                    var asPath = path.GetProperty("path").GetString()!.Split(' ', StringSplitOptions.RemoveEmptyEntries)
                        .Select(a => uint.Parse(a, CultureInfo.InvariantCulture)).ToArray();
                    uint? localPref = path.TryGetProperty("locPrf", out var lp) ? lp.GetUInt32() : null;
                    var nextHop = path.GetProperty("nexthops").EnumerateArray()
                        .FirstOrDefault(n => n.TryGetProperty("scope", out var scope) ? scope.GetString() == "global" : true)
                        .GetProperty("ip").GetString();
                    seen[route.Name] = new SeenRoute(route.Name, nextHop, asPath, localPref);
                }
            }
        }

        return seen;
    }

    internal override Task AnnounceAsync(Peering p, string prefix) => NetworkAsync(p, prefix, string.Empty);

    internal override Task WithdrawAsync(Peering p, string prefix) => NetworkAsync(p, prefix, "no ");

    private Task<string> NetworkAsync(Peering p, string prefix, string no) =>
        routers[p].VtyshAsync(
            $"configure terminal\nrouter bgp {p.RouterAs}\naddress-family {(prefix.Contains(':', StringComparison.Ordinal) ? "ipv6" : "ipv4")} unicast\n{no}network {prefix}");

    internal override DaemonProcess ProcessOf(Peering p) => routers[p].Process;

    internal override Task RestartAsync(Peering p) => routers[p].RestartAsync();

    /// <summary>bgpd logs <c>%NOTIFICATION: sent to neighbor A 2/2 (OPEN Message Error/Bad Peer AS) …</c>, or <c>received from neighbor</c>.</summary>
    internal override async Task<string?> BadPeerAsReportAsync(Peering p, bool sentByRouter)
    {
        var direction = sentByRouter ? "sent to neighbor" : "received from neighbor";
        var log = await File.ReadAllTextAsync(routers[p].LogPath);
        return log.Split('\n').FirstOrDefault(line =>
            line.Contains($"%NOTIFICATION: {direction} {S.OurAddress} 2/2 (OPEN Message Error/Bad Peer AS)", StringComparison.Ordinal));
    }

    /// <summary><c>clear bgp A soft in</c>: without soft-reconfiguration inbound, bgpd sends ROUTE-REFRESH for each family.</summary>
    internal override Task RequestRouteRefreshAsync(Peering p) => routers[p].VtyshAsync($"clear bgp {S.OurAddress} soft in");

    internal override async Task<long> UpdatesFromUsAsync(Peering p) =>
        await routers[p].NeighborAsync(S.OurAddress) is { } neighbor ? neighbor.GetProperty("messageStats").GetProperty("updatesRecv").GetInt64() : 0;
}
