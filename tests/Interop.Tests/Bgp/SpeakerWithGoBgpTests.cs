using Apipb;
using Routing.TestKit.Daemons;
using Routing.TestKit.GoBgp;
using Routing.TestKit.Processes;

namespace Routing.Interop.Tests.Bgp;

/// <summary>Routing's speaker against real gobgpd routers, each configured and queried through gobgpd's gRPC API.</summary>
[Trait("Category", "Netns")]
public sealed class SpeakerWithGoBgpTests(GoBgpLab lab) : SpeakerInteropTests<GoBgpLab>(lab), IClassFixture<GoBgpLab>
{
}

/// <summary>One gobgpd per session (a gobgpd has one AS, and would pass routes between its neighbours).</summary>
public sealed class GoBgpLab() : DaemonLab(subnet: 11)
{
    private readonly Dictionary<Peering, GoBgpDaemon> routers = [];

    internal override string CannotRequestRouteRefresh =>
        "gobgpd 3.10 never sends ROUTE-REFRESH: it keeps every Adj-RIB-In, and its soft reset in " +
        "(ResetPeer soft, direction in) only runs the kept routes through its import policy again";

    private protected override async Task StartRoutersAsync(IReadOnlyList<Peering> sessions)
    {
        var started = await Task.WhenAll(sessions.Select(async p =>
            (p, Lab.Add(await GoBgpDaemon.StartAsync(p.Router.Ns, p.RouterAs, routerId: p.Router.Address)))));
        foreach (var (p, gobgp) in started)
        {
            routers[p] = gobgp;
        }

        await Task.WhenAll(sessions.Select(ConfigureAsync));
    }

    /// <summary>gobgpd keeps no configuration of its own: its neighbour and paths, at start and after a restart.</summary>
    private async Task ConfigureAsync(Peering p)
    {
        var gobgp = routers[p];
        await gobgp.AddNeighborAsync(S.OurAddress, p.RouterExpectsAs, holdTime: p.HoldTime);
        uint[]? communities = p.Community is { } c ? [c] : null;
        await gobgp.AnnounceAsync(p.Prefix4, p.Router.Address, p.Med, communities, p.LocalPref);
        await gobgp.AnnounceAsync(p.Prefix6, p.Router.Address6, p.Med, communities, p.LocalPref);
    }

    internal override async Task<bool> RouterEstablishedAsync(Peering p) =>
        await routers[p].SessionStateAsync(S.OurAddress) == PeerState.Types.SessionState.Established;

    internal override async Task<IReadOnlyDictionary<string, SeenRoute>> RoutesFromUsAsync(Peering p)
    {
        var v4 = await routers[p].AdjRibInPathsAsync(S.OurAddress, GoBgpClient.Ipv4Unicast);
        var v6 = await routers[p].AdjRibInPathsAsync(S.OurAddress, GoBgpClient.Ipv6Unicast);
        return v4.Concat(v6).ToDictionary(r => r.Prefix, r => new SeenRoute(r.Prefix, r.NextHop, r.AsPath, r.LocalPref));
    }

    internal override Task AnnounceAsync(Peering p, string prefix) => routers[p].AnnounceAsync(prefix, p.NextHopFor(prefix));

    internal override Task WithdrawAsync(Peering p, string prefix) => routers[p].WithdrawAsync(prefix, p.NextHopFor(prefix));

    internal override DaemonProcess ProcessOf(Peering p) => routers[p].Process;

    internal override async Task RestartAsync(Peering p)
    {
        await routers[p].RestartAsync();
        await ConfigureAsync(p);
    }

    /// <summary>
    /// gobgpd logs <c>msg="sent notification" Data="as number mismatch expected A, received B"</c>. A
    /// NOTIFICATION it receives before Established is not logged with its code: its OpenConfirm
    /// handler takes any message but KEEPALIVE as <c>reason=invalid-msg</c>. It does count it, so
    /// the report is that counter and that line (our side's status shows the code and subcode).
    /// </summary>
    internal override async Task<string?> BadPeerAsReportAsync(Peering p, bool sentByRouter)
    {
        var log = routers[p].ReadLog().Split('\n');
        if (sentByRouter)
        {
            return log.FirstOrDefault(line => line.Contains("msg=\"sent notification\"", StringComparison.Ordinal) &&
                line.Contains($"Data=\"as number mismatch expected {p.RouterExpectsAs}, received {p.OurAs}\"", StringComparison.Ordinal));
        }

        var received = (await routers[p].NeighborAsync(S.OurAddress))?.State.Messages.Received.Notification ?? 0;
        var line = log.FirstOrDefault(line => line.Contains("new=BGP_FSM_IDLE old=BGP_FSM_OPENCONFIRM reason=invalid-msg", StringComparison.Ordinal));
        return received > 0 && line is not null ? $"received notifications: {received}; {line}" : null;
    }

    internal override Task RequestRouteRefreshAsync(Peering p) => throw new NotSupportedException(CannotRequestRouteRefresh);

    internal override async Task<long> UpdatesFromUsAsync(Peering p) =>
        (long)((await routers[p].NeighborAsync(S.OurAddress))?.State.Messages.Received.Update ?? 0);
}
