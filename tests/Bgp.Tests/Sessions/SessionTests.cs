using System.Net;
using Routing.Bgp.Fsm;
using Routing.Bgp.Sessions;
using Routing.Bgp.Wire;
using Routing.Bgp.Wire.Attributes;
using Routing.Bgp.Wire.Capabilities;
using Routing.TestKit.Logging;
using Routing.TestKit.Time;
using Xunit.Abstractions;

namespace Routing.Bgp.Tests.Sessions;

/// <summary>
/// The session FSM (RFC 4271 §8) of one peer, over loopback against a scripted peer, with a
/// manual clock so timers fire when the test says.
/// </summary>
public sealed class SessionTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const uint OurAs = 65001;
    private const uint TheirAs = 65002;
    private readonly ManualTimeProvider clock = new();
    private readonly LogCapture log = new("speaker");
    private readonly ScriptedPeer remote = new();
    private Speaker speaker = null!;

    private Peer Peer => speaker.FindPeer(IPAddress.Loopback)!;

    public async Task InitializeAsync()
    {
        speaker = new Speaker(
            new SpeakerConfig { Asn = OurAs, RouterId = IPAddress.Parse("10.0.0.1"), ListenPort = 0 },
            log,
            clock);
        await speaker.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await speaker.DisposeAsync();
        await remote.DisposeAsync();
        output.WriteLine(log.ReadLog());
    }

    private Peer AddPeer(uint peerAs = TheirAs, ushort holdTime = 9) =>
        speaker.AddOrUpdatePeer(new PeerConfig { PeerAddress = IPAddress.Loopback, PeerPort = remote.Port, PeerAs = peerAs, HoldTime = holdTime });

    private Task UntilState(BgpState state) => UntilState(s => s == state, state.ToString());

    private async Task UntilState(Func<BgpState, bool> wanted, string what)
    {
        // The published snapshot, not the FSM's own field: the snapshot (with its transition reason)
        // follows the field a moment later, from the peer's loop.
        var deadline = DateTime.UtcNow + ScriptedPeer.Patience;
        while (!wanted(Peer.Status.State))
        {
            Assert.True(DateTime.UtcNow < deadline, $"peer stayed {Peer.Status.State}, expected {what}\n{log.ReadLog()}");
            await Task.Delay(5);
        }
    }

    private async Task<OpenMessage> EstablishAsync(bool drainInitialTable = true)
    {
        AddPeer();
        await remote.AcceptAsync();
        var open = await remote.HandshakeAsync(ScriptedPeer.Open(TheirAs));
        await UntilState(BgpState.Established);
        if (drainInitialTable)
        {
            // Nothing is originated: the initial table is the two End-of-RIB markers.
            Assert.Equal(AfiSafi.Ipv4Unicast, (await remote.ReceiveAsync<UpdateMessage>()).EndOfRib);
            Assert.Equal(AfiSafi.Ipv6Unicast, (await remote.ReceiveAsync<UpdateMessage>()).EndOfRib);
        }

        return open;
    }

    [Fact]
    public async Task The_OPEN_offers_the_capabilities_and_the_session_reaches_Established()
    {
        speaker.SetOriginated([Prefix.Parse("10.20.0.0/26"), Prefix.Parse("10.20.0.64/26")]);
        var open = await EstablishAsync(drainInitialTable: false);

        Assert.Equal(OurAs, open.AsNumber);
        Assert.Equal(9, open.HoldTime);
        Assert.Equal(IPAddress.Parse("10.0.0.1"), open.RouterId);
        Assert.Equal([AfiSafi.Ipv4Unicast, AfiSafi.Ipv6Unicast], open.Families);
        Assert.NotNull(open.Capability<RouteRefreshCapability>());
        Assert.NotNull(open.Capability<FourOctetAsCapability>());
        Assert.NotNull(open.Capability<GracefulRestartCapability>());

        // Originated routes go out in one UPDATE (update group), then End-of-RIB.
        var update = await remote.ReceiveAsync<UpdateMessage>();
        Assert.Equal(["10.20.0.0/26", "10.20.0.64/26"], update.Nlri.Select(n => n.Prefix.ToString()));
        Assert.Equal("65001", update.Attributes!.AsPath.ToString());
        Assert.Equal(IPAddress.Loopback, update.Attributes.NextHop);
        Assert.Equal(AfiSafi.Ipv4Unicast, (await remote.ReceiveAsync<UpdateMessage>()).EndOfRib);
        Assert.Equal(BgpState.Established, Peer.Status.State);
    }

    [Fact]
    public async Task With_a_restart_time_the_OPEN_offers_graceful_restart_with_forwarding_preserved_for_every_family()
    {
        await speaker.DisposeAsync();
        speaker = new Speaker(
            new SpeakerConfig { Asn = OurAs, RouterId = IPAddress.Parse("10.0.0.1"), ListenPort = 0, GracefulRestartTime = TimeSpan.FromSeconds(120) },
            log,
            clock);
        await speaker.StartAsync();

        var open = await EstablishAsync();

        var restart = open.Capability<GracefulRestartCapability>()!;
        Assert.Equal(120, restart.RestartTime);
        Assert.Equal(
            [new GracefulRestartFamily(AfiSafi.Ipv4Unicast, true), new GracefulRestartFamily(AfiSafi.Ipv6Unicast, true)],
            restart.Families.ToArray());
    }

    [Fact]
    public async Task The_peers_initial_table_counts_as_received_once_every_family_has_its_End_of_RIB()
    {
        await EstablishAsync();
        Assert.False(Peer.Status.InitialTableReceived);

        remote.Send(UpdateMessage.EndOfRibFor(AfiSafi.Ipv4Unicast));
        await Until(() => Peer.Status.EndOfRibReceived.Contains(AfiSafi.Ipv4Unicast), "End-of-RIB for IPv4 seen");
        Assert.False(Peer.Status.InitialTableReceived);

        remote.Send(UpdateMessage.EndOfRibFor(AfiSafi.Ipv6Unicast));
        await Until(() => Peer.Status.InitialTableReceived, "the whole initial table seen");
    }

    private async Task Until(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + ScriptedPeer.Patience;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"not {what}\n{log.ReadLog()}");
            await Task.Delay(5);
        }
    }

    [Fact]
    public async Task The_keepalive_timer_sends_a_KEEPALIVE_every_third_of_the_hold_time()
    {
        await EstablishAsync();

        clock.Advance(TimeSpan.FromSeconds(3));

        Assert.IsType<KeepaliveMessage>(await remote.ReceiveAsync());
    }

    [Fact]
    public async Task When_the_hold_timer_expires_a_NOTIFICATION_is_sent_and_learned_routes_are_withdrawn()
    {
        await EstablishAsync();
        remote.Send(new UpdateMessage(
            attributes: new PathAttributes { AsPath = AsPath.Sequence(TheirAs), NextHop = IPAddress.Parse("127.0.0.9") },
            nlri: [new Nlri(Prefix.Parse("10.9.0.0/24"))]));
        var deadline = DateTime.UtcNow + ScriptedPeer.Patience;
        while (speaker.LocRib.Lookup(Prefix.Parse("10.9.0.0/24")) is null)
        {
            Assert.True(DateTime.UtcNow < deadline, "route never learned");
            await Task.Delay(5);
        }

        clock.Advance(TimeSpan.FromSeconds(9));

        var notification = await remote.ReceiveAsync<NotificationMessage>();
        Assert.Equal(NotificationCode.HoldTimerExpired, notification.Code);
        Assert.Null(await remote.ReceiveOrCloseAsync());
        await UntilState(BgpState.Idle);
        Assert.Null(speaker.LocRib.Lookup(Prefix.Parse("10.9.0.0/24")));
        Assert.Equal(TransitionReason.HoldTimerExpired, Peer.Status.LastTransitionReason);
    }

    [Fact]
    public async Task A_wrong_peer_AS_is_refused_with_Bad_Peer_AS_carrying_the_AS_field()
    {
        AddPeer(peerAs: 65099);
        await remote.AcceptAsync();
        await remote.ReceiveAsync<OpenMessage>();
        remote.Send(ScriptedPeer.Open(TheirAs));

        var notification = await remote.ReceiveAsync<NotificationMessage>();

        Assert.Equal(NotificationCode.OpenMessageError, notification.Code);
        Assert.Equal(ErrorSubcodes.BadPeerAs, notification.Subcode);
        Assert.Equal(new byte[] { 0xFD, 0xEA }, notification.Data.ToArray()); // the My AS field: 65002
    }

    [Fact]
    public async Task An_unacceptable_hold_time_is_refused()
    {
        AddPeer();
        await remote.AcceptAsync();
        await remote.ReceiveAsync<OpenMessage>();
        var open = ScriptedPeer.Open(TheirAs).ToArray(SessionOptions.Initial);
        open[22] = 0; // hold time high byte (header 19 + version 1 + AS 2)
        open[23] = 2;
        remote.SendRaw(open);

        var notification = await remote.ReceiveAsync<NotificationMessage>();

        Assert.Equal(NotificationCode.OpenMessageError, notification.Code);
        Assert.Equal(ErrorSubcodes.UnacceptableHoldTime, notification.Subcode);
        await UntilState(BgpState.Idle);
    }

    [Fact]
    public async Task An_UPDATE_before_the_OPEN_exchange_completes_is_an_FSM_error()
    {
        AddPeer();
        await remote.AcceptAsync();
        await remote.ReceiveAsync<OpenMessage>();
        remote.Send(new UpdateMessage());

        var notification = await remote.ReceiveAsync<NotificationMessage>();

        Assert.Equal(NotificationCode.FsmError, notification.Code);
        Assert.Equal(ErrorSubcodes.UnexpectedMessageInOpenSent, notification.Subcode);
    }

    [Fact]
    public async Task A_malformed_UPDATE_that_cannot_be_parsed_resets_the_session_with_its_own_error()
    {
        await EstablishAsync();
        // Withdrawn Routes Length 200 in a 23-byte UPDATE.
        var bytes = new UpdateMessage().ToArray(SessionOptions.Modern);
        bytes[19] = 0;
        bytes[20] = 200;
        remote.SendRaw(bytes);

        var notification = await remote.ReceiveAsync<NotificationMessage>();

        Assert.Equal(NotificationCode.UpdateMessageError, notification.Code);
        Assert.Equal(ErrorSubcodes.MalformedAttributeList, notification.Subcode);
        await UntilState(BgpState.Idle);
    }

    [Fact]
    public async Task After_a_reset_the_idle_hold_time_doubles_before_the_next_attempt()
    {
        await EstablishAsync();
        remote.Send(new NotificationMessage(NotificationCode.Cease, ErrorSubcodes.AdministrativeReset));
        await UntilState(BgpState.Idle);

        // 1 s doubled to 2 s: nothing after 1.5 s, a new connection after 2 s.
        clock.Advance(TimeSpan.FromSeconds(1.5));
        await Task.Delay(100);
        Assert.Equal(BgpState.Idle, Peer.State);
        clock.Advance(TimeSpan.FromSeconds(0.5));
        await UntilState(s => s is BgpState.Connect or BgpState.OpenSent, "a new attempt");
    }

    [Fact]
    public async Task A_shutdown_communication_is_sent_with_the_Cease()
    {
        await EstablishAsync();

        Peer.Stop("maintenance window 42");

        var notification = await remote.ReceiveAsync<NotificationMessage>();
        Assert.Equal(NotificationCode.Cease, notification.Code);
        Assert.Equal(ErrorSubcodes.AdministrativeShutdown, notification.Subcode);
        Assert.Equal("maintenance window 42", notification.ShutdownCommunication);
        await UntilState(BgpState.Idle);
    }

    [Theory]
    [InlineData(0x0A000002u, true)]
    [InlineData(0x09000001u, false)]
    public async Task A_connection_collision_keeps_the_connection_of_the_higher_identifier(uint remoteId, bool remoteWins)
    {
        AddPeer();
        await remote.AcceptAsync(); // the speaker's own connection
        await remote.ReceiveAsync<OpenMessage>();
        await using var incoming = await ScriptedPeer.ConnectAsync(speaker.ListenEndpoints[0].Port);
        await incoming.ReceiveAsync<OpenMessage>();

        // Both connections carry OPENs now: RFC 4271 §6.8 decides on the BGP identifiers.
        remote.Send(ScriptedPeer.Open(TheirAs, remoteId));
        var (loser, winner) = remoteWins ? (remote, incoming) : (incoming, remote);
        if (!remoteWins)
        {
            incoming.Send(ScriptedPeer.Open(TheirAs, remoteId));
        }

        var notification = await loser.ReceiveAsync<NotificationMessage>();
        Assert.Equal(NotificationCode.Cease, notification.Code);
        Assert.Equal(ErrorSubcodes.ConnectionCollisionResolution, notification.Subcode);

        if (remoteWins)
        {
            winner.Send(ScriptedPeer.Open(TheirAs, remoteId));
        }

        winner.Send(KeepaliveMessage.Instance);
        Assert.IsType<KeepaliveMessage>(await winner.ReceiveAsync());
        await UntilState(BgpState.Established);
    }

    [Fact]
    public async Task A_burst_is_read_to_its_last_byte_and_a_lone_UPDATE_after_it_still_arrives()
    {
        // The reader batches its wake-ups during a burst (a read of a full UPDATE or more): the tail
        // of the burst, less than a batch, and a single small UPDATE after a quiet must still be read.
        await EstablishAsync();
        var nextHop = IPAddress.Parse("127.0.0.9");
        var attributes = new PathAttributes { AsPath = AsPath.Sequence(TheirAs), NextHop = nextHop };
        var burst = new List<byte>();
        const int Updates = 45;
        const int PerUpdate = 900;
        for (var u = 0; u < Updates; u++)
        {
            var nlri = Enumerable.Range(0, PerUpdate).Select(i => new Nlri(Prefix.IPv4((uint)((10 << 24) | (((u * PerUpdate) + i) << 8)), 24))).ToArray();
            burst.AddRange(new UpdateMessage(attributes: attributes, nlri: nlri).ToArray(remote.Options));
        }

        remote.SendRaw([.. burst]);
        await Until(() => speaker.LocRib.Count == Updates * PerUpdate, $"all {Updates * PerUpdate} prefixes of the burst ({burst.Count} bytes) in the Loc-RIB");

        await Task.Delay(50);
        remote.Send(new UpdateMessage(attributes: attributes, nlri: [new Nlri(Prefix.Parse("192.0.2.0/24"))]));
        await Until(() => speaker.LocRib.Lookup(Prefix.Parse("192.0.2.0/24")) is not null, "the lone UPDATE after the burst in the Loc-RIB");
    }

    [Theory]
    [InlineData(new uint[] { TheirAs, 65100, OurAs }, "AS loop: our own AS in the path")]
    [InlineData(new uint[] { 65100, TheirAs }, "eBGP path not starting with the peer's AS (RFC 4271 §6.3)")]
    public async Task Routes_with_an_unacceptable_AS_path_are_not_installed(uint[] asPath, string why)
    {
        await EstablishAsync();
        var nextHop = IPAddress.Parse("127.0.0.9");
        remote.Send(new UpdateMessage(
            attributes: new PathAttributes { AsPath = AsPath.Sequence(asPath), NextHop = nextHop },
            nlri: [new Nlri(Prefix.Parse("10.8.0.0/24"))]));
        remote.Send(new UpdateMessage(
            attributes: new PathAttributes { AsPath = AsPath.Sequence(TheirAs), NextHop = nextHop },
            nlri: [new Nlri(Prefix.Parse("10.9.0.0/24"))]));

        // The good route behind it arrives, so the first was handled, and refused.
        var deadline = DateTime.UtcNow + ScriptedPeer.Patience;
        while (speaker.LocRib.Lookup(Prefix.Parse("10.9.0.0/24")) is null)
        {
            Assert.True(DateTime.UtcNow < deadline, "the good route never arrived");
            await Task.Delay(5);
        }

        Assert.True(speaker.LocRib.Lookup(Prefix.Parse("10.8.0.0/24")) is null, why);
        Assert.Equal(BgpState.Established, Peer.State);

        // The status snapshot is published right after the Loc-RIB is updated.
        while (Peer.Status is not { PrefixesReceived: 2, PrefixesAccepted: 1 })
        {
            Assert.True(DateTime.UtcNow < deadline, $"status counts {Peer.Status.PrefixesReceived}/{Peer.Status.PrefixesAccepted}");
            await Task.Delay(5);
        }
    }

    [Fact]
    public void The_FSM_table_covers_the_six_states_and_exports_a_diagram()
    {
        var dot = BgpFsm.ToDot();

        foreach (var state in Enum.GetValues<BgpState>())
        {
            Assert.Contains(BgpFsm.Transitions, t => t.From == state || t.To == state);
        }

        Assert.Contains("OpenConfirm -> Established [label=\"KeepAliveMsg\"];", dot, StringComparison.Ordinal);
        Assert.True(BgpFsm.IsPermitted(BgpState.Established, BgpEvent.HoldTimerExpires, BgpState.Idle));
        Assert.False(BgpFsm.IsPermitted(BgpState.Idle, BgpEvent.KeepAliveMsg, BgpState.Established));
    }
}
