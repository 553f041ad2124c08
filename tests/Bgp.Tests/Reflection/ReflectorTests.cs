using System.Net;
using Routing.Bgp.Fsm;
using Routing.Bgp.Sessions;
using Routing.Bgp.Tests.Sessions;
using Routing.Bgp.Wire;
using Routing.Bgp.Wire.Attributes;
using Routing.TestKit.Logging;
using Routing.TestKit.Time;
using Xunit.Abstractions;

namespace Routing.Bgp.Tests.Reflection;

/// <summary>
/// A speaker with a cluster ID reflecting over real sessions on loopback: two clients (127.0.0.2,
/// 127.0.0.3) and one non-client iBGP peer (127.0.0.4), each played by the test.
/// </summary>
public sealed class ReflectorTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const uint As = 65001;
    private static readonly IPAddress ClusterId = IPAddress.Parse("10.255.0.1");
    private readonly ManualTimeProvider clock = new();
    private readonly LogCapture log = new("reflector");
    private readonly ScriptedPeer clientA = new(IPAddress.Parse("127.0.0.2"));
    private readonly ScriptedPeer clientB = new(IPAddress.Parse("127.0.0.3"));
    private readonly ScriptedPeer nonClient = new(IPAddress.Parse("127.0.0.4"));
    private Speaker speaker = null!;

    public async Task InitializeAsync()
    {
        speaker = new Speaker(new SpeakerConfig { Asn = As, RouterId = IPAddress.Parse("10.0.0.1"), ListenPort = -1, ClusterId = ClusterId }, log, clock);
        await speaker.StartAsync();
        await EstablishAsync(clientA, "127.0.0.2", client: true);
        await EstablishAsync(clientB, "127.0.0.3", client: true);
        await EstablishAsync(nonClient, "127.0.0.4", client: false);
    }

    public async Task DisposeAsync()
    {
        await speaker.DisposeAsync();
        await clientA.DisposeAsync();
        await clientB.DisposeAsync();
        await nonClient.DisposeAsync();
        output.WriteLine(log.ReadLog());
    }

    private async Task EstablishAsync(ScriptedPeer remote, string address, bool client)
    {
        var peerAddress = IPAddress.Parse(address);
        speaker.AddOrUpdatePeer(new PeerConfig { PeerAddress = peerAddress, PeerPort = remote.Port, PeerAs = As, HoldTime = 9, RouteReflectorClient = client });
        await remote.AcceptAsync();
        _ = await remote.HandshakeAsync(ScriptedPeer.Open(As, routerId: RouterIdOf(peerAddress)));
        Assert.Equal(AfiSafi.Ipv4Unicast, (await remote.ReceiveAsync<UpdateMessage>()).EndOfRib);
        Assert.Equal(AfiSafi.Ipv6Unicast, (await remote.ReceiveAsync<UpdateMessage>()).EndOfRib);
        var deadline = DateTime.UtcNow + ScriptedPeer.Patience;
        while (speaker.FindPeer(peerAddress)!.State != BgpState.Established)
        {
            Assert.True(DateTime.UtcNow < deadline, $"{address} never Established\n{log.ReadLog()}");
            await Task.Delay(5);
        }
    }

    private static uint RouterIdOf(IPAddress address) => System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(address.GetAddressBytes()) | 0x0A000000;

    private static uint Id(string dotted) => System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(IPAddress.Parse(dotted).GetAddressBytes());

    private static UpdateMessage Announce(string prefix, string nextHop, PathAttributes? attributes = null) => new(
        attributes: (attributes ?? new PathAttributes { LocalPref = 100 }) with { NextHop = IPAddress.Parse(nextHop) },
        nlri: [new Nlri(Prefix.Parse(prefix))]);

    [Fact]
    public async Task A_clients_route_reaches_the_other_client_and_the_non_client_with_originator_and_cluster_list()
    {
        clientA.Send(Announce("10.20.1.0/26", "127.0.0.2"));

        foreach (var remote in new[] { clientB, nonClient })
        {
            var update = await remote.ReceiveAsync<UpdateMessage>();
            Assert.Equal(["10.20.1.0/26"], update.Nlri.Select(n => n.Prefix.ToString()));
            Assert.Equal(IPAddress.Parse("127.0.0.2"), update.Attributes!.NextHop);
            Assert.Equal(RouterIdOf(IPAddress.Parse("127.0.0.2")), update.Attributes.OriginatorId);
            Assert.Equal([Id("10.255.0.1")], update.Attributes.ClusterList.ToArray());
            Assert.Equal(100u, update.Attributes.LocalPref);
        }

        // Withdrawn at the client, withdrawn everywhere it was reflected.
        clientA.Send(new UpdateMessage(withdrawn: [new Nlri(Prefix.Parse("10.20.1.0/26"))]));
        foreach (var remote in new[] { clientB, nonClient })
        {
            var update = await remote.ReceiveAsync<UpdateMessage>();
            Assert.Equal(["10.20.1.0/26"], update.Withdrawn.Select(n => n.Prefix.ToString()));
        }
    }

    [Fact]
    public async Task A_non_clients_route_reaches_the_clients_only()
    {
        nonClient.Send(Announce("10.30.0.0/24", "127.0.0.4"));

        foreach (var remote in new[] { clientA, clientB })
        {
            var update = await remote.ReceiveAsync<UpdateMessage>();
            Assert.Equal(["10.30.0.0/24"], update.Nlri.Select(n => n.Prefix.ToString()));
            Assert.Equal(RouterIdOf(IPAddress.Parse("127.0.0.4")), update.Attributes!.OriginatorId);
        }

        // The non-client is sent nothing back; a marker route from a client shows what it gets next.
        clientA.Send(Announce("10.20.9.0/26", "127.0.0.2"));
        var next = await nonClient.ReceiveAsync<UpdateMessage>();
        Assert.Equal(["10.20.9.0/26"], next.Nlri.Select(n => n.Prefix.ToString()));
    }

    [Fact]
    public async Task Routes_that_carry_our_cluster_ID_or_come_from_ourselves_are_dropped_as_loops()
    {
        nonClient.Send(Announce("10.40.0.0/24", "127.0.0.4", new PathAttributes { LocalPref = 100, ClusterList = new uint[] { Id("10.255.0.9"), Id("10.255.0.1") } }));
        nonClient.Send(Announce("10.41.0.0/24", "127.0.0.4", new PathAttributes { LocalPref = 100, OriginatorId = Id("10.0.0.1") }));
        nonClient.Send(Announce("10.42.0.0/24", "127.0.0.4", new PathAttributes { LocalPref = 100, ClusterList = new uint[] { Id("10.255.0.9") } }));

        // The third, reflected by another cluster, is learned and reflected; the first two never are.
        var update = await clientA.ReceiveAsync<UpdateMessage>();
        Assert.Equal(["10.42.0.0/24"], update.Nlri.Select(n => n.Prefix.ToString()));
        Assert.Equal([Id("10.255.0.1"), Id("10.255.0.9")], update.Attributes!.ClusterList.ToArray());
        Assert.Null(speaker.LocRib.Lookup(Prefix.Parse("10.40.0.0/24")));
        Assert.Null(speaker.LocRib.Lookup(Prefix.Parse("10.41.0.0/24")));
        Assert.Equal(3, speaker.FindPeer(IPAddress.Parse("127.0.0.4"))!.Status.PrefixesReceived);
        Assert.Equal(1, speaker.FindPeer(IPAddress.Parse("127.0.0.4"))!.Status.PrefixesAccepted);
    }

    [Fact]
    public async Task A_peer_that_becomes_a_client_is_sent_what_non_clients_reflect()
    {
        nonClient.Send(Announce("10.30.0.0/24", "127.0.0.4"));
        _ = await clientA.ReceiveAsync<UpdateMessage>();

        // A second non-client joins: it is not sent the first non-client's route ...
        await using var other = new ScriptedPeer(IPAddress.Parse("127.0.0.5"));
        await EstablishAsync(other, "127.0.0.5", client: false);

        // ... until it is made a client, without its session being reset.
        speaker.AddOrUpdatePeer(new PeerConfig { PeerAddress = IPAddress.Parse("127.0.0.5"), PeerPort = other.Port, PeerAs = As, HoldTime = 9, RouteReflectorClient = true });
        var update = await other.ReceiveAsync<UpdateMessage>();
        Assert.Equal(["10.30.0.0/24"], update.Nlri.Select(n => n.Prefix.ToString()));
        Assert.Equal(BgpState.Established, speaker.FindPeer(IPAddress.Parse("127.0.0.5"))!.State);
    }
}
