using System.Text;
using Routing.Bgp.Fsm;
using Routing.TestKit;
using Routing.TestKit.Daemons;
using Routing.TestKit.Processes;

namespace Routing.Interop.Tests.Bgp;

/// <summary>Routing's speaker against ExaBGP, which can also put any bytes in an attribute: RFC 7606 on the wire.</summary>
[Trait("Category", "Netns")]
public sealed class SpeakerWithExaBgpTests(ExaBgpLab lab) : SpeakerInteropTests<ExaBgpLab>(lab), IClassFixture<ExaBgpLab>
{
    [SkippableFact]
    public async Task Malformed_attributes_are_handled_as_RFC_7606_says_and_the_session_stays_up()
    {
        TestRun.RequireNamespaces();
        var s = Fixture.S;
        var p = await Fixture.EstablishedAsync(Fixture.Malformed);
        var nextHop = p.Router.Address;

        // A well-formed route is accepted.
        await Fixture.SendAsync(p, $"announce route 10.60.1.0/24 next-hop {nextHop}");
        await s.UntilInRibAsync(p.Router, "10.60.1.0/24");

        // COMMUNITIES of 3 bytes (RFC 7606 §7.8): treat-as-withdraw, so the route already learned goes.
        await Fixture.SendAsync(p, $"announce route 10.60.1.0/24 next-hop {nextHop} attribute [ 0x08 0xc0 0x000102 ]");
        await s.UntilNotInRibAsync(p.Router, "10.60.1.0/24");
        await Fixture.Lab.UntilAsync("the treat-as-withdraw to be logged", _ => Task.FromResult(s.Log.Contains($"BGP peer {nextHop}: UPDATE handled as withdraw")));

        // AGGREGATOR of the wrong length (RFC 7606 §7.7): attribute discard, the route stays.
        await Fixture.SendAsync(p, $"announce route 10.60.3.0/24 next-hop {nextHop} attribute [ 0x07 0xc0 0x0001 ]");
        await s.UntilInRibAsync(p.Router, "10.60.3.0/24", r => r.Attributes.Aggregator is null);
        Assert.True(s.Log.Contains($"BGP peer {nextHop}: attribute discarded"));

        // An unknown optional transitive attribute is kept, to be passed on with the Partial bit.
        await Fixture.SendAsync(p, $"announce route 10.60.4.0/24 next-hop {nextHop} attribute [ 0xf0 0xc0 0xdeadbeef ]");
        await s.UntilInRibAsync(p.Router, "10.60.4.0/24", r => r.Attributes.Unknown.Any(a => a.Type == 0xf0 && a.Value.SequenceEqual(new byte[] { 0xde, 0xad, 0xbe, 0xef })));

        // None of it cost the session.
        var status = s.Status(p.Router);
        Assert.Equal(BgpState.Established, status.State);
        Assert.Equal(1, status.EstablishedTransitions);
    }
    [SkippableFact]
    public async Task An_enhanced_route_refresh_is_answered_between_its_begin_and_end_markers()
    {
        TestRun.RequireNamespaces();
        var p = await Fixture.EstablishedAsync(Fixture.Ebgp);
        await Fixture.UntilRouterHasAsync(p, DaemonLab.Originated);
        var before = Fixture.Received(p).Messages.Count;

        // Both sides offer Enhanced Route Refresh (RFC 7313 §4): BoRR, the table, EoRR, per family.
        await Fixture.RequestRouteRefreshAsync(p);
        var messages = await Fixture.Lab.UntilAsync("ExaBGP to receive BoRR, the table and EoRR for IPv4 and IPv6", _ =>
        {
            var received = Fixture.Received(p).Messages.Skip(before).ToList();
            return Task.FromResult(received.Contains("refresh ipv4 unicast end") && received.Contains("refresh ipv6 unicast end") ? received : null);
        });
        foreach (var (family, prefix) in new[] { ("ipv4", "10.20.0.0/26"), ("ipv6", "fd00:20::/122") })
        {
            var begin = messages.IndexOf($"refresh {family} unicast begin");
            var table = messages.FindIndex(m => m.StartsWith("update ", StringComparison.Ordinal) && m.Split(' ').Contains(prefix));
            var end = messages.IndexOf($"refresh {family} unicast end");
            Assert.True(begin >= 0 && begin < table && table < end, $"{family}: expected BoRR, {prefix}, EoRR in order, got: {string.Join(" | ", messages)}");
        }
    }
}

/// <summary>
/// One ExaBGP peering from several addresses of one namespace (ExaBGP has an AS per neighbour and
/// never passes routes on), and a second ExaBGP for the session that gets frozen and restarted.
/// ExaBGP does not listen here (no <c>exabgp.tcp.bind</c>): it connects, and our side is passive.
/// </summary>
public sealed class ExaBgpLab() : DaemonLab(subnet: 41)
{
    private readonly Dictionary<Peering, ExaBgpDaemon> routers = [];
    private Router? shared;

    /// <summary>An eBGP session of its own for malformed UPDATEs.</summary>
    internal Peering Malformed { get; private set; } = null!;

    private protected override bool OnlyRouterConnects => true;

    private protected override async Task<Router> AddRouterAsync(string label, int host)
    {
        if (label == "frozen")
        {
            return await S.AddRouterAsync(label, host);
        }

        if (shared is null)
        {
            shared = await S.AddRouterAsync("exabgp", host) with { Label = label };
            return shared;
        }

        return await S.AddAliasAsync(shared, label, host);
    }

    private string Neighbor(Peering p) => $$"""
        neighbor {{S.OurAddress}} {
          router-id {{p.Router.Address}};
          local-address {{p.Router.Address}};
          local-as {{p.RouterAs}};
          peer-as {{p.RouterExpectsAs}};
          hold-time {{p.HoldTime}};
          family { ipv4 unicast; ipv6 unicast; }
          capability { route-refresh; }
          {{ExaBgpDaemon.Api}}
        }

        """;

    private protected override async Task StartRoutersAsync(IReadOnlyList<Peering> sessions)
    {
        Malformed = new Peering(await AddRouterAsync("malformed", 8), TheirAs, OurAs, OurAs, TheirAs, 9);
        var together = sessions.Where(p => p.Router.Ns == shared!.Ns).Append(Malformed).ToArray();
        var alone = sessions.Single(p => p.Router.Ns != shared!.Ns);

        var all = new StringBuilder();
        foreach (var p in together)
        {
            all.Append(Neighbor(p));
        }

        var started = await Task.WhenAll(
            ExaBgpDaemon.StartAsync(shared!.Ns, all.ToString()),
            ExaBgpDaemon.StartAsync(alone.Router.Ns, Neighbor(alone)));
        var one = Lab.Add(started[0]);
        foreach (var p in together)
        {
            routers[p] = one;
        }

        routers[alone] = Lab.Add(started[1]);

        foreach (var p in sessions)
        {
            await AnnounceAsync(p, p.Prefix4);
            await AnnounceAsync(p, p.Prefix6);
        }

        S.Speaker.AddOrUpdatePeer(S.Peer(Malformed.Router, TheirAs) with { Passive = true });
    }

    /// <summary>Sends an API command to the ExaBGP of <paramref name="p"/>, for that neighbour only.</summary>
    internal Task SendAsync(Peering p, string command) =>
        routers[p].SendAsync($"neighbor {S.OurAddress} local-ip {p.Router.Address} {command}");

    /// <summary>What the ExaBGP of <paramref name="p"/> received on that session.</summary>
    internal ExaBgpReceived Received(Peering p) => routers[p].Received(p.Router.Address);

    internal override Task<bool> RouterEstablishedAsync(Peering p) => Task.FromResult(Received(p).State == "up");

    internal override Task<IReadOnlyDictionary<string, SeenRoute>> RoutesFromUsAsync(Peering p) =>
        Task.FromResult<IReadOnlyDictionary<string, SeenRoute>>(routers[p].Received(p.Router.Address).Routes.Values
            .ToDictionary(r => r.Prefix, r => new SeenRoute(r.Prefix, r.NextHop, r.AsPath, r.LocalPref)));

    internal override Task AnnounceAsync(Peering p, string prefix)
    {
        var command = new StringBuilder($"announce route {prefix} next-hop {p.NextHopFor(prefix)}");
        if (prefix == p.Prefix4 || prefix == p.Prefix6)
        {
            command.Append(p.Med is { } med ? $" med {med}" : string.Empty);
            command.Append(p.Community is { } c ? $" community [ {c >> 16}:{c & 0xffff} ]" : string.Empty);
            command.Append(p.LocalPref is { } lp ? $" local-preference {lp}" : string.Empty);
        }

        return SendAsync(p, command.ToString());
    }

    internal override Task WithdrawAsync(Peering p, string prefix) => SendAsync(p, $"withdraw route {prefix} next-hop {p.NextHopFor(prefix)}");

    internal override DaemonProcess ProcessOf(Peering p) => routers[p].Process;

    /// <summary>The restarted ExaBGP replays its command file, so it announces its routes again.</summary>
    internal override Task RestartAsync(Peering p) => routers[p].RestartAsync();

    /// <summary>
    /// ExaBGP logs NOTIFICATIONs only at debug level; its API reports them, as JSON: the reason of a
    /// session going down (<c>notification sent (2,2)</c> with the error it found) and a NOTIFICATION
    /// received (<c>receive { notification; }</c>), with its code and subcode.
    /// </summary>
    internal override Task<string?> BadPeerAsReportAsync(Peering p, bool sentByRouter)
    {
        var received = routers[p].Received(p.Router.Address);
        if (sentByRouter)
        {
            return Task.FromResult(received.DownReason is { } reason && reason.Contains("notification sent (2,2)", StringComparison.Ordinal) &&
                reason.Contains($"ASN in OPEN ({p.OurAs}) did not match ASN expected ({p.RouterExpectsAs})", StringComparison.Ordinal)
                    ? reason
                    : null);
        }

        return Task.FromResult(received.Notifications.Contains("2/2") ? $"NOTIFICATION 2/2 received; session down: {received.DownReason}" : null);
    }

    internal override async Task RequestRouteRefreshAsync(Peering p)
    {
        await SendAsync(p, "announce route-refresh ipv4 unicast");
        await SendAsync(p, "announce route-refresh ipv6 unicast");
    }

    internal override Task<long> UpdatesFromUsAsync(Peering p) => Task.FromResult((long)routers[p].Received(p.Router.Address).Updates);
}
