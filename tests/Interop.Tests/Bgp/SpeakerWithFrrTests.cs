using System.Net;
using System.Text.Json;
using Routing.Bgp.Wire;
using Routing.TestKit.Daemons;
using Routing.TestKit.Namespaces;
using Xunit.Abstractions;

namespace Routing.Interop.Tests.Bgp;

/// <summary>Routing's speaker against FRR's bgpd.</summary>
[Trait("Category", "Netns")]
public sealed class SpeakerWithFrrTests(ITestOutputHelper output)
{
    private static string RouterBgp(SpeakerLab s, uint frrAs, uint ourAs) => $"""
        router bgp {frrAs}
         bgp router-id {s.RouterAddress}
         no bgp ebgp-requires-policy
         no bgp network import-check
         neighbor {s.OurAddress} remote-as {ourAs}
         neighbor {s.OurAddress} timers 3 9
         neighbor {s.OurAddress} timers connect 1
         address-family ipv4 unicast
          network 10.50.0.0/24
         exit-address-family
         address-family ipv6 unicast
          network fd00:50::/64
          neighbor {s.OurAddress} activate
          neighbor {s.OurAddress} route-map V6NH out
         exit-address-family
        exit
        route-map V6NH permit 10
         set ipv6 next-hop global {s.RouterAddress6}
        exit
        """;

    [SkippableTheory]
    [InlineData(31, 65050u, "eBGP")]
    [InlineData(32, 65010u, "iBGP")]
    public async Task Routes_flow_both_ways_and_withdrawals_propagate(int subnet, uint frrAs, string kind)
    {
        await using var lab = new Topology(output);
        var s = await SpeakerLab.CreateAsync(lab, "frr", subnet, asn: 65010);
        var frr = lab.Add(await FrrDaemon.StartAsync(s.RouterNs, RouterBgp(s, frrAs, 65010)));
        s.Speaker.SetOriginated([Prefix.Parse("10.20.0.0/26"), Prefix.Parse("fd00:20::/122")]);
        s.Speaker.AddOrUpdatePeer(s.Peer(frrAs));

        await s.UntilEstablishedAsync(s.RouterAddress);
        await lab.UntilAsync($"FRR's {kind} session to be Established", async _ => await frr.NeighborStateAsync(s.OurAddress) == "Established");

        await lab.UntilAsync("our prefixes in FRR", async _ =>
            (await frr.RibPrefixesAsync()).Contains("10.20.0.0/26") && (await frr.RibPrefixesAsync("ipv6 unicast")).Contains("fd00:20::/122"));
        using (var route = JsonDocument.Parse(await frr.VtyshAsync("show bgp ipv4 unicast 10.20.0.0/26 json")))
        {
            var path = route.RootElement.GetProperty("paths")[0];
            Assert.Equal(kind == "eBGP" ? "65010" : "Local", path.GetProperty("aspath").GetProperty("string").GetString());
            Assert.Equal(s.OurAddress, path.GetProperty("nexthops")[0].GetProperty("ip").GetString());
        }

        var external = kind == "eBGP";
        await s.UntilInRibAsync("10.50.0.0/24", e => e.Best.NextHop.Equals(IPAddress.Parse(s.RouterAddress)) && e.Best.Source.IsExternal == external);
        await s.UntilInRibAsync("fd00:50::/64", e => e.Best.NextHop.Equals(IPAddress.Parse(s.RouterAddress6)));

        await frr.VtyshAsync($"configure terminal\nrouter bgp {frrAs}\naddress-family ipv4 unicast\nno network 10.50.0.0/24");
        await s.UntilNotInRibAsync("10.50.0.0/24");
        s.Speaker.SetOriginated([Prefix.Parse("10.20.0.0/26")]);
        await lab.UntilAsync("fd00:20::/122 withdrawn from FRR", async _ => !(await frr.RibPrefixesAsync("ipv6 unicast")).Contains("fd00:20::/122"));
    }
}
