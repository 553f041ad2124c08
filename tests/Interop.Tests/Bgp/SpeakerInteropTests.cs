using System.Net;
using Routing.Bgp.Fsm;
using Routing.Bgp.Rib;
using Routing.Bgp.Wire;
using Routing.Bgp.Wire.Attributes;
using Routing.TestKit;

namespace Routing.Interop.Tests.Bgp;

/// <summary>
/// The interop scenarios of issue 3, run against one kind of real BGP daemon: a derived class per
/// daemon supplies its <see cref="DaemonLab"/>, shared by all the scenarios (xUnit runs them one
/// after the other, so each starts by waiting for the sessions it needs).
/// </summary>
public abstract class SpeakerInteropTests<TLab>(TLab lab)
    where TLab : DaemonLab
{
    private const string BadPeerAs = "NOTIFICATION OpenMessageError/Bad Peer AS";

    private static readonly Prefix[] Originated = DaemonLab.Originated.Select(Prefix.Parse).ToArray();

    /// <summary>The shared lab, for the scenarios of one daemon only.</summary>
    protected TLab Fixture => lab;

    [SkippableFact]
    public async Task EBGP_IPv4_and_IPv6_routes_flow_both_ways_with_their_attributes_and_withdrawals_propagate()
    {
        TestRun.RequireNamespaces();
        var s = lab.S;
        var p = await lab.EstablishedAsync(lab.Ebgp);

        // Ours at the router: AS_PATH [65010], next hop self, no LOCAL_PREF over eBGP.
        var seen = await lab.UntilRouterHasAsync(p, DaemonLab.Originated);
        AssertSeen(seen["10.20.0.0/26"], s.OurAddress, [DaemonLab.OurAs], null);
        AssertSeen(seen["fd00:20::/122"], s.OurAddress6, [DaemonLab.OurAs], null);

        // Theirs in our Loc-RIB with their attributes.
        var v4 = await s.UntilInRibAsync(p.Router, p.Prefix4);
        Assert.Equal(p.Router.Ip, v4.NextHop);
        Assert.Equal("65020", v4.Attributes.AsPath.ToString());
        Assert.Equal(50u, v4.Attributes.MultiExitDisc);
        Assert.Equal([Community.Of(65020, 7)], v4.Attributes.Communities);
        Assert.True(v4.Source.IsExternal);
        var v6 = await s.UntilInRibAsync(p.Router, p.Prefix6);
        Assert.Equal(IPAddress.Parse(p.Router.Address6), v6.NextHop);
        Assert.Equal("65020", v6.Attributes.AsPath.ToString());

        // Both sides announce two more prefixes, IPv4 and IPv6, then withdraw them.
        await lab.AnnounceAsync(p, p.Extra4);
        await lab.AnnounceAsync(p, p.Extra6);
        s.Speaker.SetOriginated([.. Originated, .. DaemonLab.ExtraOriginated.Select(Prefix.Parse)]);
        await Task.WhenAll(
            s.UntilInRibAsync(p.Router, p.Extra4),
            s.UntilInRibAsync(p.Router, p.Extra6),
            lab.UntilRouterHasAsync(p, DaemonLab.ExtraOriginated));

        await lab.WithdrawAsync(p, p.Extra4);
        await lab.WithdrawAsync(p, p.Extra6);
        s.Speaker.SetOriginated(Originated);
        await Task.WhenAll(
            s.UntilNotInRibAsync(p.Router, p.Extra4),
            s.UntilNotInRibAsync(p.Router, p.Extra6),
            lab.UntilRouterLacksAsync(p, DaemonLab.ExtraOriginated));

        // The rest stays, and the session's counters say so (the status follows the session's loop).
        // Received may count more: a router that sends our own routes back has them refused (AS loop).
        Assert.NotNull(s.RouteFrom(p.Router, p.Prefix4));
        Assert.True((await lab.RoutesFromUsAsync(p)).ContainsKey("10.20.0.0/26"));
        await lab.Lab.UntilAsync("status to count 2 accepted and 2 advertised", _ =>
            Task.FromResult(s.Status(p.Router) is { State: BgpState.Established, PrefixesAccepted: 2, PrefixesAdvertised: 2 }));
    }

    [SkippableFact]
    public async Task IBGP_carries_LOCAL_PREF_and_an_empty_AS_path_both_ways()
    {
        TestRun.RequireNamespaces();
        var s = lab.S;
        var p = await lab.EstablishedAsync(lab.Ibgp);

        var seen = await lab.UntilRouterHasAsync(p, DaemonLab.Originated);
        AssertSeen(seen["10.20.0.0/26"], s.OurAddress, [], 100);
        AssertSeen(seen["fd00:20::/122"], s.OurAddress6, [], 100);

        foreach (var (prefix, nextHop) in new[] { (p.Prefix4, p.Router.Address), (p.Prefix6, p.Router.Address6) })
        {
            var route = await s.UntilInRibAsync(p.Router, prefix);
            Assert.False(route.Source.IsExternal);
            Assert.Equal(IPAddress.Parse(nextHop), route.NextHop);
            Assert.Equal(string.Empty, route.Attributes.AsPath.ToString());
            Assert.Equal(200u, route.Attributes.LocalPref);
        }
    }

    [SkippableFact]
    public async Task A_4_octet_AS_on_both_sides_works()
    {
        TestRun.RequireNamespaces();
        var s = lab.S;
        var p = await lab.EstablishedAsync(lab.FourOctet);

        var seen = await lab.UntilRouterHasAsync(p, DaemonLab.Originated);
        AssertSeen(seen["10.20.0.0/26"], s.OurAddress, [DaemonLab.OurFourOctetAs], null);
        AssertSeen(seen["fd00:20::/122"], s.OurAddress6, [DaemonLab.OurFourOctetAs], null);

        var v4 = await s.UntilInRibAsync(p.Router, p.Prefix4);
        var v6 = await s.UntilInRibAsync(p.Router, p.Prefix6);
        Assert.Equal("4200000001", v4.Attributes.AsPath.ToString());
        Assert.Equal("4200000001", v6.Attributes.AsPath.ToString());
        Assert.Equal(DaemonLab.TheirFourOctetAs, v4.Source.PeerAs);
    }

    [SkippableFact]
    public async Task A_wrong_peer_AS_gets_the_Bad_Peer_AS_notification_both_ways()
    {
        TestRun.RequireNamespaces();
        var s = lab.S;
        var theyRefuse = lab.RefusesUs;
        var weRefuse = lab.RefusedByUs;
        string? routerSent = null;
        string? routerReceived = null;
        await Task.WhenAll(
            lab.Lab.UntilAsync($"{theyRefuse}'s Bad Peer AS in our status", _ =>
                Task.FromResult(s.Status(theyRefuse.Router).LastError?.StartsWith($"received {BadPeerAs}", StringComparison.Ordinal) == true)),
            lab.Lab.UntilAsync($"{theyRefuse} to log the Bad Peer AS it sent", async _ =>
                (routerSent = await lab.BadPeerAsReportAsync(theyRefuse, sentByRouter: true)) is not null),
            lab.Lab.UntilAsync($"our Bad Peer AS to {weRefuse} in our status", _ =>
                Task.FromResult(s.Status(weRefuse.Router).LastError?.StartsWith($"sent {BadPeerAs}: peer says AS 65020, configured AS 65099", StringComparison.Ordinal) == true)),
            lab.Lab.UntilAsync($"{weRefuse} to log the Bad Peer AS it received", async _ =>
                (routerReceived = await lab.BadPeerAsReportAsync(weRefuse, sentByRouter: false)) is not null));

        Assert.NotNull(routerSent);
        Assert.NotNull(routerReceived);
        foreach (var p in new[] { theyRefuse, weRefuse })
        {
            var status = s.Status(p.Router);
            Assert.NotEqual(BgpState.Established, status.State);
            Assert.Equal(0, status.EstablishedTransitions);
            Assert.Null(s.RouteFrom(p.Router, p.Prefix4));
        }
    }

    [SkippableFact]
    public async Task A_frozen_peer_expires_the_hold_timer_and_its_routes_are_withdrawn_then_the_restarted_peer_comes_back()
    {
        TestRun.RequireNamespaces();
        var s = lab.S;
        var p = await lab.EstablishedAsync(lab.Frozen);
        await Task.WhenAll(s.UntilInRibAsync(p.Router, p.Prefix4), s.UntilInRibAsync(p.Router, p.Prefix6));
        var transitions = s.Status(p.Router).EstablishedTransitions;
        Assert.Equal(3, s.Status(p.Router).NegotiatedHoldTime);

        // SIGSTOP: the daemon keeps its socket open and says nothing; our 3 s hold timer runs out.
        lab.ProcessOf(p).Pause();
        await lab.Lab.UntilAsync($"our hold timer to expire and {p}'s routes to go", _ =>
            Task.FromResult(s.RouteFrom(p.Router, p.Prefix4) is null && s.RouteFrom(p.Router, p.Prefix6) is null), TimeSpan.FromSeconds(10));
        var down = s.Status(p.Router);
        Assert.NotEqual(BgpState.Established, down.State);
        Assert.Equal(TransitionReason.HoldTimerExpired, down.LastTransitionReason);
        Assert.Contains("Hold Timer Expired", down.LastError, StringComparison.Ordinal);

        // The daemon is killed and started again: the session comes back, with the routes of both sides.
        await lab.RestartAsync(p);
        await lab.EstablishedAsync(p);
        await Task.WhenAll(
            s.UntilInRibAsync(p.Router, p.Prefix4),
            s.UntilInRibAsync(p.Router, p.Prefix6),
            lab.UntilRouterHasAsync(p, DaemonLab.Originated));
        Assert.Equal(transitions + 1, s.Status(p.Router).EstablishedTransitions);
    }

    [SkippableFact]
    public async Task A_route_refresh_from_the_peer_gets_our_table_again()
    {
        TestRun.RequireNamespaces();
        Skip.If(lab.CannotRequestRouteRefresh is not null, lab.CannotRequestRouteRefresh);
        var p = await lab.EstablishedAsync(lab.Ebgp);
        await lab.UntilRouterHasAsync(p, DaemonLab.Originated);
        var before = await lab.SettledUpdatesFromUsAsync(p);

        // One ROUTE-REFRESH per family: each gets at least one UPDATE with our routes again.
        await lab.RequestRouteRefreshAsync(p);
        await lab.Lab.UntilAsync($"{p} to receive our table again", async _ => await lab.UpdatesFromUsAsync(p) >= before + 2);

        var seen = await lab.UntilRouterHasAsync(p, DaemonLab.Originated);
        AssertSeen(seen["10.20.0.0/26"], lab.S.OurAddress, [DaemonLab.OurAs], null);
        Assert.True(lab.WeAreEstablished(p));
    }

    private static void AssertSeen(SeenRoute route, string nextHop, uint[] asPath, uint? localPref)
    {
        Assert.Equal(nextHop, route.NextHop);
        Assert.Equal(asPath, route.AsPath);
        Assert.Equal(localPref, route.LocalPref);
    }
}
