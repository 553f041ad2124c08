using System.Net;
using Routing.Bgp.Fsm;
using Routing.Bgp.Wire;
using Routing.TestKit.Daemons;
using Routing.TestKit.Namespaces;
using Xunit.Abstractions;

namespace Routing.Interop.Tests.Bgp;

/// <summary>Routing's speaker against BIRD 2 as a top-of-rack router: eBGP, iBGP, 4-octet AS, errors, failures.</summary>
[Trait("Category", "Netns")]
public sealed class SpeakerWithBirdTests(ITestOutputHelper output)
{
    private const uint OurAs = 65010;

    private static string BirdPeer(SpeakerLab s, Router r, uint birdAs, uint expectsOurAs) => $$"""
        {{BirdDaemon.StaticRoutes("rack4", ["10.40.0.0/24"])}}
        {{BirdDaemon.StaticRoutes("rack6", ["fd00:40::/64"], ipv6: true)}}
        protocol bgp routing {
          local {{r.Address}} as {{birdAs}};
          neighbor {{s.OurAddress}} as {{expectsOurAs}};
          hold time 9;
          connect delay time 1;
          connect retry time 1;
          error wait time 1, 4;
          ipv4 { import all; export where proto = "rack4"; next hop self; };
          ipv6 { import all; export where proto = "rack6"; next hop address {{r.Address6}}; };
        }
        """;

    private static async Task<(Topology Lab, SpeakerLab S, Router R, BirdDaemon Bird)> StartAsync(ITestOutputHelper output, int subnet, uint birdAs, uint birdExpectsOurAs = OurAs, uint ourAs = OurAs, uint weExpectBirdAs = 0, ushort holdTime = 9)
    {
        var lab = new Topology(output);
        try
        {
            var s = await SpeakerLab.CreateAsync(lab, subnet, ourAs);
            var r = await s.AddRouterAsync("bird", 2);
            var bird = lab.Add(await BirdDaemon.StartAsync(r.Ns, r.Address, BirdPeer(s, r, birdAs, birdExpectsOurAs)));
            s.Speaker.SetOriginated([Prefix.Parse("10.20.0.0/26"), Prefix.Parse("fd00:20::/122")]);
            s.Speaker.AddOrUpdatePeer(s.Peer(r, weExpectBirdAs == 0 ? birdAs : weExpectBirdAs, holdTime));
            return (lab, s, r, bird);
        }
        catch
        {
            await lab.DisposeAsync();
            throw;
        }
    }

    private static async Task RoutesFlowBothWays(SpeakerLab s, Router r, BirdDaemon bird, string expectedAsPathAtBird, bool external)
    {
        await s.UntilEstablishedAsync(r);
        await s.Lab.UntilAsync("BIRD's session to be Established", async _ => await bird.ProtocolStateAsync("routing") == "Established");

        await s.Lab.UntilAsync("our prefixes in BIRD", async _ =>
        {
            var routes = await bird.RoutePrefixesAsync("routing");
            return routes.Contains("10.20.0.0/26") && routes.Contains("fd00:20::/122");
        });
        var detail = await bird.QueryAsync("show route 10.20.0.0/26 all");
        Assert.Contains($"BGP.as_path: {expectedAsPathAtBird}".TrimEnd(), detail, StringComparison.Ordinal);
        Assert.Contains($"BGP.next_hop: {s.OurAddress}", detail, StringComparison.Ordinal);
        if (!external)
        {
            Assert.Contains("BGP.local_pref: 100", detail, StringComparison.Ordinal);
        }

        await s.UntilInRibAsync(r, "10.40.0.0/24", p => p.NextHop.Equals(r.Ip) && p.Source.IsExternal == external);
        await s.UntilInRibAsync(r, "fd00:40::/64", p => p.NextHop.Equals(IPAddress.Parse(r.Address6)));
    }

    [SkippableFact]
    public async Task EBGP_routes_flow_both_ways_with_AS_path_and_next_hop_and_withdrawals_propagate()
    {
        var (lab, s, r, bird) = await StartAsync(output, 21, birdAs: 65030);
        await using (lab)
        {
            await RoutesFlowBothWays(s, r, bird, "65010", external: true);
            Assert.Equal("65030", s.Speaker.LocRib.Lookup(Prefix.Parse("10.40.0.0/24"))!.Best.Attributes.AsPath.ToString());

            // BIRD withdraws its IPv4 route; we withdraw our IPv6 one.
            await bird.QueryAsync("disable rack4");
            await s.UntilNotInRibAsync(r, "10.40.0.0/24");
            s.Speaker.SetOriginated([Prefix.Parse("10.20.0.0/26")]);
            await lab.UntilAsync("fd00:20::/122 withdrawn from BIRD", async _ => !(await bird.RoutePrefixesAsync("routing")).Contains("fd00:20::/122"));
            Assert.NotNull(s.Speaker.LocRib.Lookup(Prefix.Parse("fd00:40::/64")));
        }
    }

    [SkippableFact]
    public async Task IBGP_session_carries_local_pref_and_an_empty_AS_path()
    {
        var (lab, s, r, bird) = await StartAsync(output, 22, birdAs: OurAs);
        await using (lab)
        {
            await RoutesFlowBothWays(s, r, bird, string.Empty, external: false);
            Assert.Equal(100u, s.Speaker.LocRib.Lookup(Prefix.Parse("10.40.0.0/24"))!.Best.Attributes.LocalPref);
        }
    }

    [SkippableFact]
    public async Task A_4_octet_AS_peer_works_both_ways()
    {
        var (lab, s, r, bird) = await StartAsync(output, 23, birdAs: 4200000001);
        await using (lab)
        {
            await RoutesFlowBothWays(s, r, bird, "65010", external: true);
            Assert.Equal("4200000001", s.Speaker.LocRib.Lookup(Prefix.Parse("10.40.0.0/24"))!.Best.Attributes.AsPath.ToString());
        }
    }

    [SkippableFact]
    public async Task A_wrong_peer_AS_gets_the_Bad_Peer_AS_notification()
    {
        // We expect AS 65031 but BIRD is 65030: we refuse its OPEN with OPEN Message Error / Bad Peer AS.
        var (lab, s, r, bird) = await StartAsync(output, 24, birdAs: 65030, weExpectBirdAs: 65031);
        await using (lab)
        {
            await lab.UntilAsync("BIRD to report our Bad peer AS notification", async _ =>
                (await bird.QueryAsync("show protocols all routing")).Contains("Received: Bad peer AS", StringComparison.Ordinal));
            var status = s.Status(r);
            Assert.NotEqual(BgpState.Established, status.State);
            Assert.Contains("Bad Peer AS", status.LastError, StringComparison.Ordinal);
        }
    }

    [SkippableFact]
    public async Task A_frozen_peer_expires_the_hold_timer_and_its_routes_are_withdrawn_then_a_restarted_peer_comes_back()
    {
        var (lab, s, r, bird) = await StartAsync(output, 25, birdAs: 65030, holdTime: 3);
        await using (lab)
        {
            await RoutesFlowBothWays(s, r, bird, "65010", external: true);

            bird.Process.Pause();
            await lab.UntilAsync("our hold timer to expire and BIRD's routes to go", _ =>
                Task.FromResult(s.Speaker.LocRib.Lookup(Prefix.Parse("10.40.0.0/24")) is null), TimeSpan.FromSeconds(10));
            var status = s.Status(r);
            Assert.Contains("Hold Timer Expired", status.LastError, StringComparison.Ordinal);
            Assert.Null(s.Speaker.LocRib.Lookup(Prefix.Parse("fd00:40::/64")));

            // BIRD crashes and starts again: the session comes back with its routes.
            await bird.RestartAsync();
            await s.UntilInRibAsync(r, "10.40.0.0/24");
            await s.UntilEstablishedAsync(r);
            Assert.True(s.Status(r).EstablishedTransitions >= 2);
        }
    }

    [SkippableFact]
    public async Task A_route_refresh_from_the_peer_gets_our_table_again()
    {
        var (lab, s, r, bird) = await StartAsync(output, 26, birdAs: 65030);
        await using (lab)
        {
            await RoutesFlowBothWays(s, r, bird, "65010", external: true);
            var before = ImportUpdates(await bird.QueryAsync("show protocols all routing"));

            await bird.QueryAsync("reload in routing");

            await lab.UntilAsync("BIRD to receive our routes again", async _ =>
                ImportUpdates(await bird.QueryAsync("show protocols all routing")) >= before + 2);
            Assert.Contains("10.20.0.0/26", await bird.RoutePrefixesAsync("routing"));
        }
    }

    /// <summary>The sum of "Import updates: received" over the channels in <c>show protocols all</c>.</summary>
    private static int ImportUpdates(string showProtocolsAll) =>
        showProtocolsAll.Split('\n')
            .Where(l => l.TrimStart().StartsWith("Import updates:", StringComparison.Ordinal))
            .Sum(l => int.Parse(l.Split(':')[1].Split(' ', StringSplitOptions.RemoveEmptyEntries)[0], System.Globalization.CultureInfo.InvariantCulture));
}
