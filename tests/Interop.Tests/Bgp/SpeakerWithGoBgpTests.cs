using System.Net;
using Apipb;
using Routing.Bgp.Fsm;
using Routing.Bgp.Wire;
using Routing.Bgp.Wire.Attributes;
using Routing.TestKit.Daemons;
using Routing.TestKit.GoBgp;
using Routing.TestKit.Namespaces;
using Xunit.Abstractions;
using Prefix = Routing.Bgp.Wire.Prefix;

namespace Routing.Interop.Tests.Bgp;

/// <summary>Routing's speaker against a real gobgpd, driven through gobgpd's gRPC API.</summary>
[Trait("Category", "Netns")]
public sealed class SpeakerWithGoBgpTests(ITestOutputHelper output)
{
    [SkippableFact]
    public async Task EBGP_IPv4_and_IPv6_routes_flow_both_ways_and_withdrawals_propagate()
    {
        await using var lab = new Topology(output);
        var s = await SpeakerLab.CreateAsync(lab, "gobgp", subnet: 11, asn: 65010);
        var gobgp = lab.Add(await GoBgpDaemon.StartAsync(s.RouterNs, asn: 65020, routerId: s.RouterAddress));
        await gobgp.AddNeighborAsync(s.OurAddress, peerAsn: 65010);
        s.Speaker.SetOriginated([Prefix.Parse("10.20.0.0/26"), Prefix.Parse("fd00:20::/122")]);
        s.Speaker.AddOrUpdatePeer(s.Peer(65020));

        await s.UntilEstablishedAsync(s.RouterAddress);
        await lab.UntilAsync("gobgpd's session to be Established", async ct =>
            await gobgp.SessionStateAsync(s.OurAddress, ct) == PeerState.Types.SessionState.Established);

        // Ours in gobgpd, with AS_PATH [65010] and next hop self, IPv4 and IPv6.
        var v4 = await lab.UntilAsync("10.20.0.0/26 in gobgpd", async ct =>
            (await gobgp.RibPathsAsync(cancellationToken: ct)).FirstOrDefault(p => p.Prefix == "10.20.0.0/26"));
        Assert.Equal([65010u], v4.AsPath);
        Assert.Equal(s.OurAddress, v4.NextHop);
        var v6 = await lab.UntilAsync("fd00:20::/122 in gobgpd", async ct =>
            (await gobgp.RibPathsAsync(GoBgpClient.Ipv6Unicast, ct)).FirstOrDefault(p => p.Prefix == "fd00:20::/122"));
        Assert.Equal([65010u], v6.AsPath);
        Assert.Equal(s.OurAddress6, v6.NextHop);

        // Theirs in our Loc-RIB, with their attributes.
        await gobgp.AnnounceAsync("10.30.0.0/24", s.RouterAddress, med: 50, communities: [Community.Of(65020, 7)]);
        await gobgp.AnnounceAsync("fd00:30::/64", s.RouterAddress6);
        await s.UntilInRibAsync("10.30.0.0/24");
        var learned = s.Speaker.LocRib.Lookup(Prefix.Parse("10.30.0.0/24"))!.Best;
        Assert.Equal(IPAddress.Parse(s.RouterAddress), learned.NextHop);
        Assert.Equal("65020", learned.Attributes.AsPath.ToString());
        Assert.Equal(50u, learned.Attributes.MultiExitDisc);
        Assert.Equal([Community.Of(65020, 7)], learned.Attributes.Communities);
        await s.UntilInRibAsync("fd00:30::/64", e => e.Best.NextHop.Equals(IPAddress.Parse(s.RouterAddress6)));

        // Withdrawals both ways.
        await gobgp.WithdrawAsync("10.30.0.0/24", s.RouterAddress);
        await s.UntilNotInRibAsync("10.30.0.0/24");
        s.Speaker.SetOriginated([Prefix.Parse("fd00:20::/122")]);
        await lab.UntilAsync("10.20.0.0/26 withdrawn from gobgpd", async ct =>
            !(await gobgp.RibPrefixesAsync(cancellationToken: ct)).Contains("10.20.0.0/26"));
        Assert.Contains("fd00:20::/122", await gobgp.RibPrefixesAsync(GoBgpClient.Ipv6Unicast));

        // The status snapshot follows the session's loop; it settles right after the messages go out.
        await lab.UntilAsync("status to count 1 accepted and 1 advertised", _ =>
        {
            var status = s.Speaker.FindPeer(IPAddress.Parse(s.RouterAddress))!.Status;
            return Task.FromResult(status is { State: BgpState.Established, PrefixesAccepted: 1, PrefixesAdvertised: 1, PrefixesReceived: 1 });
        });
    }
}
