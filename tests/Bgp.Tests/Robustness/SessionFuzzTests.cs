using System.Buffers;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;
using Routing.Bgp.Fsm;
using Routing.Bgp.Sessions;
using Routing.Bgp.Wire;
using Routing.Bgp.Wire.Capabilities;
using Routing.TestKit.Logging;
using Xunit.Abstractions;

namespace Routing.Bgp.Tests.Robustness;

/// <summary>
/// A real <see cref="Speaker"/> on 127.0.0.1 fed mutated UPDATEs (in Established) and mutated OPENs
/// (in OpenSent) over TCP. The codec is the oracle: for what it decodes as an error the speaker must
/// send exactly that NOTIFICATION and close; for an UPDATE it treats as withdraw or discards an
/// attribute of, the session must stay up. The speaker must never fail internally.
/// </summary>
public class SessionFuzzTests(ITestOutputHelper output)
{
    private const uint SpeakerAs = 65000;
    private const uint ClientAs = 65001;
    private const int UpdatesOnFourOctetSession = 1500;
    private const int UpdatesOnTwoOctetSession = 500;
    private const int Opens = 500;
    private const int MaxFailuresReported = 10;

    // Seeds apart from the decoder fuzz's, so these inputs are new ones.
    private const int UpdateIndexBase = 1_000_000;
    private const int OpenIndexBase = 2_000_000;

    private static readonly TimeSpan ReplyTimeout = TimeSpan.FromSeconds(5);
    private static readonly IPAddress ClientId = IPAddress.Parse("10.255.0.2");

    // ROUTE-REFRESH answered with BoRR ... EoRR (RFC 7313): proof that everything sent before it was handled.
    private static readonly byte[] Ping = new RouteRefreshMessage(AfiSafi.Ipv4Unicast).ToArray(SessionOptions.Initial);
    private static readonly byte[] Keepalive = KeepaliveMessage.Instance.ToArray(SessionOptions.Initial);

    /// <summary>What the speaker must do with one input, as the codec decides it.</summary>
    private enum Reaction
    {
        StaysUp,
        Notifies,
        ClosesSilently,
        Skipped,
    }

    [Fact]
    public async Task Mutated_UPDATEs_get_the_NOTIFICATION_the_codec_decides_or_leave_the_session_up()
    {
        var log = new LogCapture("speaker", LogLevel.Error);
        await using var speaker = await StartSpeakerAsync(log);
        var peer = speaker.FindPeer(IPAddress.Loopback)!;
        var endpoint = Assert.Single(speaker.ListenEndpoints);
        var run = new Run(output);

        foreach (var (fourOctetAs, count, offset) in new[] { (true, UpdatesOnFourOctetSession, 0), (false, UpdatesOnTwoOctetSession, UpdatesOnFourOctetSession) })
        {
            var options = SessionOptions.Initial with { FourOctetAs = fourOctetAs };
            var corpus = MessageMutator.Corpus.Where(c => c.Type == BgpMessageType.Update && c.Options.Equals(options)).ToArray();
            TestConnection? connection = null;
            for (var i = 0; i < count && run.Failures.Count < MaxFailuresReported; i++)
            {
                var input = MessageMutator.Make(UpdateIndexBase + offset + i, corpus, messageLevelOnly: true);
                var (reaction, expected) = InEstablished(input.Bytes, options);
                run.Count(input.Class, reaction, expected);
                if (reaction == Reaction.Skipped)
                {
                    continue;
                }

                connection ??= await run.EstablishAsync(endpoint, peer, fourOctetAs);
                await connection.SendAsync(input.Bytes, Keepalive, Ping);
                var reply = await AwaitReplyAsync(connection);
                var problem = reaction switch
                {
                    Reaction.StaysUp when reply.Answered && peer.State == BgpState.Established => null,
                    Reaction.StaysUp => $"expected the session to stay up, got {reply} in {peer.State}",
                    Reaction.Notifies when reply.Closed && reply.Notification is { } sent && Same(sent, expected!) => null,
                    Reaction.Notifies => $"expected {expected} and a close, got {reply}",
                    _ when reply.Closed && reply.Notification is null && !reply.Answered => null,
                    _ => $"expected a close without a NOTIFICATION, got {reply}",
                };
                if (problem is not null)
                {
                    run.Failures.Add($"{input} on a {(fourOctetAs ? 4 : 2)}-octet session: {problem}");
                }

                if (reaction != Reaction.StaysUp || problem is not null)
                {
                    await connection.DisposeAsync();
                    connection = null;
                    await UntilNotConnectedAsync(peer);
                }
            }

            if (connection is not null)
            {
                await CloseAsync(connection, peer);
            }
        }

        // The speaker still takes a fresh session after all that.
        await using var last = await run.EstablishAsync(endpoint, peer, fourOctetAs: true);
        run.Report(UpdatesOnFourOctetSession + UpdatesOnTwoOctetSession, "UPDATE");
        Assert.True(run.Failures.Count == 0, string.Join("\n\n", run.Failures) + "\n\nspeaker log:\n" + log.ReadLog());
        Assert.True(log.ReadLog().Length == 0, "the speaker failed internally:\n" + log.ReadLog());
    }

    [Fact]
    public async Task Mutated_OPENs_get_the_NOTIFICATION_the_codec_and_the_configuration_decide()
    {
        var log = new LogCapture("speaker", LogLevel.Error);
        await using var speaker = await StartSpeakerAsync(log);
        var peer = speaker.FindPeer(IPAddress.Loopback)!;
        var endpoint = Assert.Single(speaker.ListenEndpoints);
        var run = new Run(output);
        var corpus = MessageMutator.Corpus.Where(c => c.Type == BgpMessageType.Open).ToArray();

        for (var i = 0; i < Opens && run.Failures.Count < MaxFailuresReported; i++)
        {
            var input = MessageMutator.Make(OpenIndexBase + i, corpus, messageLevelOnly: true);
            var (reaction, expected) = InOpenSent(input.Bytes);
            run.Count(input.Class, reaction, expected);
            if (reaction == Reaction.Skipped)
            {
                continue;
            }

            var clock = Stopwatch.StartNew();
            await using var connection = await TestConnection.ConnectAsync(endpoint);
            var open = await connection.ReceiveAsync();
            if (open is not OpenMessage)
            {
                run.Failures.Add($"{input}: the speaker opened with {open?.ToString() ?? "a close"} in {peer.State}");
                await UntilNotConnectedAsync(peer);
                continue;
            }

            run.Connected(clock.Elapsed);
            await connection.SendAsync(input.Bytes);
            var reply = await connection.ReceiveAsync();
            var closed = reply is NotificationMessage && await connection.ReceiveAsync() is null;
            var problem = reaction switch
            {
                Reaction.StaysUp when reply is KeepaliveMessage => null,
                Reaction.StaysUp => $"expected a KEEPALIVE, got {reply?.ToString() ?? "a close"}",
                Reaction.Notifies when reply is NotificationMessage sent && Same(sent, expected!) && closed => null,
                Reaction.Notifies => $"expected {expected} and a close, got {reply?.ToString() ?? "a close"}{(closed ? " and a close" : string.Empty)}",
                _ when reply is null => null,
                _ => $"expected a close without a NOTIFICATION, got {reply}",
            };
            if (problem is not null)
            {
                run.Failures.Add($"{input}: {problem}");
            }

            if (reply is KeepaliveMessage)
            {
                await connection.SendAsync(new NotificationMessage(NotificationCode.Cease, ErrorSubcodes.AdministrativeReset).ToArray(SessionOptions.Initial));
            }

            await connection.DisposeAsync();
            await UntilNotConnectedAsync(peer);
        }

        // The speaker still takes a fresh session after all that.
        await using var last = await run.EstablishAsync(endpoint, peer, fourOctetAs: true);
        run.Report(Opens, "OPEN");
        Assert.True(run.Failures.Count == 0, string.Join("\n\n", run.Failures) + "\n\nspeaker log:\n" + log.ReadLog());
        Assert.True(log.ReadLog().Length == 0, "the speaker failed internally:\n" + log.ReadLog());
    }

    [Fact]
    public async Task An_OPEN_in_Established_is_an_FSM_error_in_Established()
    {
        // RFC 6608 §3: subcode 3, Receive Unexpected Message in Established State.
        var log = new LogCapture("speaker", LogLevel.Error);
        await using var speaker = await StartSpeakerAsync(log);
        var peer = speaker.FindPeer(IPAddress.Loopback)!;
        var run = new Run(output);
        await using var connection = await run.EstablishAsync(Assert.Single(speaker.ListenEndpoints), peer, fourOctetAs: true);

        await connection.SendAsync(ClientOpen(fourOctetAs: true).ToArray(SessionOptions.Initial), Ping);
        var reply = await AwaitReplyAsync(connection);

        Assert.True(reply.Closed, reply.ToString());
        Assert.Equal(NotificationCode.FsmError, reply.Notification?.Code);
        Assert.Equal(ErrorSubcodes.UnexpectedMessageInEstablished, reply.Notification!.Subcode);
    }

    private static async Task<Speaker> StartSpeakerAsync(ILoggerFactory log)
    {
        var speaker = new Speaker(
            new SpeakerConfig { Asn = SpeakerAs, RouterId = IPAddress.Parse("10.255.0.1"), ListenPort = 0, ListenAddresses = [IPAddress.Loopback] },
            log);
        await speaker.StartAsync();
        Assert.NotEqual(0, Assert.Single(speaker.ListenEndpoints).Port);
        speaker.AddOrUpdatePeer(new PeerConfig { PeerAddress = IPAddress.Loopback, PeerAs = ClientAs, Passive = true, Description = "fuzz client" });
        return speaker;
    }

    private static OpenMessage ClientOpen(bool fourOctetAs)
    {
        List<Capability> capabilities =
        [
            new MultiprotocolCapability(AfiSafi.Ipv4Unicast), new MultiprotocolCapability(AfiSafi.Ipv6Unicast),
            new RouteRefreshCapability(), new EnhancedRouteRefreshCapability(),
        ];
        if (fourOctetAs)
        {
            capabilities.Add(new FourOctetAsCapability(ClientAs));
        }

        return new OpenMessage(ClientAs, 90, System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(ClientId.GetAddressBytes()), capabilities);
    }

    /// <summary>What a speaker in Established must do with these bytes, with the error it must send.</summary>
    private static (Reaction, Expectation?) InEstablished(byte[] bytes, SessionOptions options) => Decode(bytes, options) switch
    {
        (null, { } error) => (Reaction.Notifies, Sent(error)),
        (UpdateMessage or KeepaliveMessage, _) => (Reaction.StaysUp, null),
        (NotificationMessage, _) => (Reaction.ClosesSilently, null),
        (OpenMessage, _) => (Reaction.Notifies, Expectation.Reset(NotificationCode.FsmError, ErrorSubcodes.UnexpectedMessageInEstablished)),
        _ => (Reaction.Skipped, null), // incomplete, or a ROUTE-REFRESH that would answer like the ping
    };

    /// <summary>What a speaker in OpenSent must do with these bytes (RFC 4271 §6.2, RFC 6608), with the error it must send.</summary>
    private static (Reaction, Expectation?) InOpenSent(byte[] bytes)
    {
        switch (Decode(bytes, SessionOptions.Initial))
        {
            case (null, { } error):
                return (Reaction.Notifies, Sent(error));
            case (OpenMessage open, _):
                var four = open.Capability<FourOctetAsCapability>();
                var badAs = open.AsNumber != ClientAs || (four is not null && open.MyAutonomousSystem != OpenMessage.AsTrans && open.MyAutonomousSystem != four.Asn);
                var commonFamily = open.Families.Any(f => f == AfiSafi.Ipv4Unicast || f == AfiSafi.Ipv6Unicast);
                return badAs || !commonFamily
                    ? (Reaction.Notifies, Expectation.Reset(NotificationCode.OpenMessageError, badAs ? ErrorSubcodes.BadPeerAs : ErrorSubcodes.UnsupportedCapability))
                    : (Reaction.StaysUp, null);
            case (NotificationMessage, _):
                return (Reaction.ClosesSilently, null);
            case ({ }, _):
                return (Reaction.Notifies, Expectation.Reset(NotificationCode.FsmError, ErrorSubcodes.UnexpectedMessageInOpenSent));
            default:
                return (Reaction.Skipped, null);
        }
    }

    /// <summary>The codec's verdict on one whole message; nothing when the bytes are not exactly one.</summary>
    private static (BgpMessage?, BgpError?) Decode(byte[] bytes, SessionOptions options)
    {
        var buffer = new ReadOnlySequence<byte>(bytes);
        if (!BgpMessage.TryRead(ref buffer, options, out var message, out var error) || (error is null && !buffer.IsEmpty))
        {
            return (null, null);
        }

        return (message, error);
    }

    /// <summary>The NOTIFICATION a decoding error warrants: its code, subcode and data.</summary>
    private static Expectation Sent(BgpError error) => Expectation.Reset(error.Code, error.Subcode, error.Data.ToArray());

    private static bool Same(NotificationMessage sent, Expectation expected) =>
        sent.Code == expected.Code && sent.Subcode == expected.Subcode && (expected.Data is null || sent.Data.Span.SequenceEqual(expected.Data));

    private sealed record Reply(NotificationMessage? Notification, bool Answered, bool Closed)
    {
        public override string ToString() =>
            Notification is not null ? $"{Notification} data {Convert.ToHexString(Notification.Data.Span)}{(Closed ? " and a close" : " without a close")}"
            : Answered ? "the ping answered" : Closed ? "a close" : "nothing";
    }

    /// <summary>Reads until the End-of-Route-Refresh that answers the ping, a NOTIFICATION (and what follows it), or the end of the connection.</summary>
    private static async Task<Reply> AwaitReplyAsync(TestConnection connection)
    {
        while (true)
        {
            switch (await connection.ReceiveAsync())
            {
                case null:
                    return new Reply(null, false, true);
                case NotificationMessage notification:
                    return new Reply(notification, false, await connection.ReceiveAsync() is null);
                case RouteRefreshMessage { Subtype: RouteRefreshSubtype.EndOfRouteRefresh }:
                    return new Reply(null, true, false);
                default:
                    // KEEPALIVE, End-of-RIB, Beginning-of-Route-Refresh.
                    continue;
            }
        }
    }

    /// <summary>Ends a session politely and waits for the peer to take it down, so the next connection is not a collision.</summary>
    private static async Task CloseAsync(TestConnection connection, Peer peer)
    {
        await connection.SendAsync(new NotificationMessage(NotificationCode.Cease, ErrorSubcodes.AdministrativeReset).ToArray(SessionOptions.Initial));
        await connection.DisposeAsync();
        await UntilNotConnectedAsync(peer);
    }

    private static async Task UntilNotConnectedAsync(Peer peer)
    {
        var clock = Stopwatch.StartNew();
        while (peer.State is not (BgpState.Idle or BgpState.Active))
        {
            Assert.True(clock.Elapsed < ReplyTimeout, $"the peer stayed in {peer.State} after its connection closed");
            await Task.Delay(1);
        }
    }

    /// <summary>Counts, timings and failures of one fuzz run.</summary>
    private sealed class Run(ITestOutputHelper output)
    {
        private readonly Stopwatch clock = Stopwatch.StartNew();
        private readonly Dictionary<MutationClass, Dictionary<string, int>> outcomes = [];
        private readonly List<TimeSpan> connects = [];

        public List<string> Failures { get; } = [];

        public void Count(MutationClass @class, Reaction reaction, Expectation? expected)
        {
            var key = reaction == Reaction.Notifies ? $"{expected!.Code}/{ErrorSubcodes.Describe(expected.Code, expected.Subcode!.Value)}" : reaction.ToString();
            var counts = outcomes.TryGetValue(@class, out var existing) ? existing : outcomes[@class] = [];
            counts[key] = counts.GetValueOrDefault(key) + 1;
        }

        public void Connected(TimeSpan elapsed) => connects.Add(elapsed);

        /// <summary>Connects, exchanges OPEN and KEEPALIVE, and proves the session Established with a ping.</summary>
        public async Task<TestConnection> EstablishAsync(IPEndPoint endpoint, Peer peer, bool fourOctetAs)
        {
            var started = Stopwatch.StartNew();
            var connection = await TestConnection.ConnectAsync(endpoint);
            await connection.SendAsync(ClientOpen(fourOctetAs).ToArray(SessionOptions.Initial), Keepalive);
            var open = Assert.IsType<OpenMessage>(await connection.ReceiveAsync());
            connection.Options = SessionOptions.Initial with { FourOctetAs = fourOctetAs && open.Capability<FourOctetAsCapability>() is not null };
            Assert.IsType<KeepaliveMessage>(await connection.ReceiveAsync());
            await connection.SendAsync(Ping);
            var reply = await AwaitReplyAsync(connection);
            Assert.True(reply.Answered, $"the session did not come up: {reply}");
            Assert.Equal(BgpState.Established, peer.State);
            connects.Add(started.Elapsed);
            return connection;
        }

        public void Report(int inputs, string kind)
        {
            // The first connection includes the speaker's warm-up; the rest show whether reconnecting after a reset is slowed.
            var again = connects.Skip(1).DefaultIfEmpty().ToArray();
            output.WriteLine($"{inputs} mutated {kind}s in {clock.Elapsed.TotalSeconds:0.0} s; {connects.Count} connections: the first up in " +
                             $"{connects[0].TotalMilliseconds:0.0} ms, the others in {again.Average(c => c.TotalMilliseconds):0.0} ms on average, " +
                             $"{again.Max(c => c.TotalMilliseconds):0.0} ms at most");
            var text = new StringBuilder();
            foreach (var (@class, counts) in outcomes.OrderBy(o => o.Key))
            {
                text.AppendLine($"{@class,-32}{counts.Values.Sum(),6}  {string.Join(", ", counts.OrderByDescending(c => c.Value).Select(c => $"{c.Key} {c.Value}"))}");
            }

            output.WriteLine(text.ToString());
        }
    }

    /// <summary>The test's side of a BGP connection: raw bytes out, framed messages in.</summary>
    private sealed class TestConnection : IAsyncDisposable
    {
        private readonly Socket socket;
        private readonly byte[] pending = new byte[256 * 1024];
        private int count;

        private TestConnection(Socket socket)
        {
            this.socket = socket;
        }

        public SessionOptions Options { get; set; } = SessionOptions.Initial;

        public static async Task<TestConnection> ConnectAsync(IPEndPoint endpoint)
        {
            var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(endpoint);
                return new TestConnection(socket);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        public async Task SendAsync(params byte[][] messages) =>
            await socket.SendAsync(messages.SelectMany(m => m).ToArray(), SocketFlags.None);

        /// <summary>The next message from the speaker; null once it has closed the connection.</summary>
        public async Task<BgpMessage?> ReceiveAsync()
        {
            while (true)
            {
                var buffer = new ReadOnlySequence<byte>(pending, 0, count);
                if (BgpMessage.TryRead(ref buffer, Options, out var message, out var error))
                {
                    var used = count - (int)buffer.Length;
                    pending.AsSpan(used, count - used).CopyTo(pending);
                    count -= used;
                    return error is null ? message : throw new InvalidOperationException($"the speaker sent a malformed message: {error}");
                }

                using var timeout = new CancellationTokenSource(ReplyTimeout);
                int read;
                try
                {
                    read = await socket.ReceiveAsync(pending.AsMemory(count), SocketFlags.None, timeout.Token);
                }
                catch (OperationCanceledException)
                {
                    throw new TimeoutException($"no message from the speaker within {ReplyTimeout.TotalSeconds} s");
                }
                catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionReset or SocketError.ConnectionAborted)
                {
                    return null;
                }

                if (read == 0)
                {
                    return null;
                }

                count += read;
            }
        }

        public ValueTask DisposeAsync()
        {
            socket.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
