using System.Net;
using Routing.Bgp.Fsm;
using Routing.Bgp.Wire;
using Routing.TestKit.Daemons;
using Routing.TestKit.Namespaces;
using Xunit.Abstractions;

namespace Routing.Interop.Tests.Bgp;

/// <summary>Routing's speaker against ExaBGP, which can put any bytes in an attribute: RFC 7606 on the wire.</summary>
[Trait("Category", "Netns")]
public sealed class SpeakerWithExaBgpTests(ITestOutputHelper output)
{
    [SkippableFact]
    public async Task Malformed_attributes_are_handled_as_RFC_7606_says_and_the_session_stays_up()
    {
        await using var lab = new Topology(output);
        var s = await SpeakerLab.CreateAsync(lab, "exabgp", 41, asn: 65010);
        var exabgp = lab.Add(await ExaBgpDaemon.StartAsync(s.RouterNs, $$"""
            neighbor {{s.OurAddress}} {
              router-id {{s.RouterAddress}};
              local-address {{s.RouterAddress}};
              local-as 65060;
              peer-as 65010;
              hold-time 9;
              api { processes [ control ]; }
            }
            """));
        s.Speaker.AddOrUpdatePeer(s.Peer(65060));
        await s.UntilEstablishedAsync(s.RouterAddress);

        // A well-formed route is accepted.
        await exabgp.SendAsync($"announce route 10.60.1.0/24 next-hop {s.RouterAddress}");
        await s.UntilInRibAsync("10.60.1.0/24");

        // COMMUNITIES of 3 bytes (RFC 7606 §7.8): treat-as-withdraw, so the route already learned goes.
        await exabgp.SendAsync($"announce route 10.60.1.0/24 next-hop {s.RouterAddress} attribute [ 0x08 0xc0 0x000102 ]");
        await s.UntilNotInRibAsync("10.60.1.0/24");
        await lab.UntilAsync("the treat-as-withdraw to be logged", _ => Task.FromResult(s.Log.Contains("UPDATE handled as withdraw")));

        // AGGREGATOR of the wrong length (RFC 7606 §7.7): attribute discard, the route stays.
        await exabgp.SendAsync($"announce route 10.60.3.0/24 next-hop {s.RouterAddress} attribute [ 0x07 0xc0 0x0001 ]");
        await s.UntilInRibAsync("10.60.3.0/24", e => e.Best.Attributes.Aggregator is null);
        Assert.True(s.Log.Contains("attribute discarded"));

        // An unknown optional transitive attribute is kept, to be passed on with the Partial bit.
        await exabgp.SendAsync($"announce route 10.60.4.0/24 next-hop {s.RouterAddress} attribute [ 0xf0 0xc0 0xdeadbeef ]");
        await s.UntilInRibAsync("10.60.4.0/24", e => e.Best.Attributes.Unknown.Any(a => a.Type == 0xf0 && a.Value.SequenceEqual(new byte[] { 0xde, 0xad, 0xbe, 0xef })));

        // None of it cost the session.
        var status = s.Speaker.FindPeer(IPAddress.Parse(s.RouterAddress))!.Status;
        Assert.Equal(BgpState.Established, status.State);
        Assert.Equal(1, status.EstablishedTransitions);
    }
}
