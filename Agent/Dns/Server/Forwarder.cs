using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;
using Routing.Agent.Dns.Wire;

namespace Routing.Agent.Dns.Server;

/// <summary>
/// Relays questions outside the cluster zone to the upstream resolvers. Over UDP each question goes
/// out with an id of ours (one table slot per id in flight), and the answer is sent back to the
/// asker from the server's own socket by this forwarder's receive thread; an upstream that does not
/// answer in time is replaced by the next, and SERVFAIL ends it when every one has had its turn. A
/// question that came over TCP goes over TCP.
/// </summary>
public sealed partial class Forwarder : IDisposable
{
    private readonly IReadOnlyList<IPEndPoint> upstreams;
    private readonly SocketAddress[] upstreamAddresses;
    private readonly DnsServerOptions options;
    private readonly ResponseCache cache;
    private readonly ILogger logger;
    private readonly Socket?[] sockets = new Socket?[2];
    private readonly Pending?[] pending = new Pending?[ushort.MaxValue + 1];
    private readonly Lock gate = new();
    private readonly Timer timer;
    private int inFlight;
    private volatile bool stopping;

    public Forwarder(DnsServerOptions options, ResponseCache cache, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        this.options = options;
        this.cache = cache;
        this.logger = logger;
        upstreams = options.Upstreams;
        upstreamAddresses = upstreams.Select(u => u.Serialize()).ToArray();
        foreach (var family in upstreams.Select(u => u.AddressFamily).Distinct())
        {
            var socket = options.SocketFactory(family, SocketType.Dgram, ProtocolType.Udp);
            socket.Bind(new IPEndPoint(family == AddressFamily.InterNetwork ? IPAddress.Any : IPAddress.IPv6Any, 0));
            sockets[Slot(family)] = socket;
            new Thread(() => Receive(socket)) { IsBackground = true, Name = $"dns-upstream-{family}" }.Start();
        }

        var tick = TimeSpan.FromMilliseconds(Math.Clamp(options.UpstreamTimeout.TotalMilliseconds / 4, 10, 250));
        timer = new Timer(_ => Expire(), null, tick, tick);
    }

    public bool HasUpstreams => upstreams.Count > 0;

    /// <summary>Sends <paramref name="query"/> upstream; the answer goes to <paramref name="client"/> through <paramref name="replySocket"/>.</summary>
    public void ForwardUdp(ReadOnlySpan<byte> query, in DnsQuery question, string cacheKey, Socket replySocket, SocketAddress client)
    {
        var clientCopy = new SocketAddress(client.Family, client.Size);
        client.Buffer.Span[..client.Size].CopyTo(clientCopy.Buffer.Span);
        Start(new Pending(query.ToArray(), question.Id, question.QuestionEnd, cacheKey, replySocket, clientCopy));
    }

    /// <summary>Asks the upstreams a question of the server's own over UDP; null when none answered.</summary>
    public Task<byte[]?> QueryAsync(byte[] query, int questionEnd)
    {
        ArgumentNullException.ThrowIfNull(query);
        var completion = new TaskCompletionSource<byte[]?>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!Start(new Pending(query, DnsHeader.Id(query), questionEnd, "", null, null) { Completion = completion }))
        {
            completion.TrySetResult(null);
        }

        return completion.Task;
    }

    private bool Start(Pending entry)
    {
        lock (gate)
        {
            var id = (ushort)Random.Shared.Next(ushort.MaxValue + 1);
            for (var tries = 0; pending[id] is not null; tries++)
            {
                if (tries > 1024)
                {
                    return false;
                }

                id = (ushort)Random.Shared.Next(ushort.MaxValue + 1);
            }

            entry.Id = id;
            BinaryPrimitives.WriteUInt16BigEndian(entry.Query, id);
            pending[id] = entry;
            inFlight++;
        }

        Send(entry, 0);
        return true;
    }

    /// <summary>Asks the upstreams over TCP in turn; null when none answered.</summary>
    public async Task<byte[]?> ForwardTcpAsync(ReadOnlyMemory<byte> query, string cacheKey, CancellationToken cancellationToken)
    {
        foreach (var upstream in upstreams)
        {
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(options.UpstreamTimeout * 3);
                using var socket = options.SocketFactory(upstream.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
                await socket.ConnectAsync(upstream, timeout.Token).ConfigureAwait(false);
                var framed = new byte[query.Length + 2];
                BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)query.Length);
                query.CopyTo(framed.AsMemory(2));
                await socket.SendAsync(framed, SocketFlags.None, timeout.Token).ConfigureAwait(false);
                var length = new byte[2];
                await ReceiveExactlyAsync(socket, length, timeout.Token).ConfigureAwait(false);
                var response = new byte[BinaryPrimitives.ReadUInt16BigEndian(length)];
                await ReceiveExactlyAsync(socket, response, timeout.Token).ConfigureAwait(false);
                if (response.Length >= DnsHeader.Length && DnsHeader.Id(response) == DnsHeader.Id(query.Span))
                {
                    cache.Store(cacheKey, response);
                    return response;
                }
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException or IOException && !cancellationToken.IsCancellationRequested)
            {
                Log.UpstreamFailed(logger, upstream, e.Message);
            }
        }

        return null;
    }

    private static async Task ReceiveExactlyAsync(Socket socket, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        while (buffer.Length > 0)
        {
            var read = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                throw new IOException("the upstream closed the connection");
            }

            buffer = buffer[read..];
        }
    }

    private static int Slot(AddressFamily family) => family == AddressFamily.InterNetwork ? 0 : 1;

    private void Send(Pending entry, int attempt)
    {
        entry.Attempt = attempt;
        entry.Upstream = attempt % upstreams.Count;
        entry.Deadline = Environment.TickCount64 + (long)options.UpstreamTimeout.TotalMilliseconds;
        var upstream = upstreams[entry.Upstream];
        try
        {
            sockets[Slot(upstream.AddressFamily)]!.SendTo(entry.Query, SocketFlags.None, upstreamAddresses[entry.Upstream]);
        }
        catch (SocketException e)
        {
            // Unreachable now: the timer moves it on to the next upstream.
            Log.UpstreamFailed(logger, upstream, e.Message);
        }
    }

    private void Receive(Socket socket)
    {
        var buffer = new byte[DnsResponse.MaxTcpLength];
        var from = new SocketAddress(socket.AddressFamily);
        while (!stopping)
        {
            int length;
            try
            {
                length = socket.ReceiveFrom(buffer, SocketFlags.None, from);
            }
            catch (SocketException) when (!stopping)
            {
                continue;
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                return;
            }

            if (length < DnsHeader.Length)
            {
                continue;
            }

            var message = buffer.AsSpan(0, length);
            var id = DnsHeader.Id(message);
            Pending? entry;
            lock (gate)
            {
                entry = pending[id];
                // Only the upstream asked may answer, and only to the question asked (RFC 5452 §9.1).
                if (entry is null || !from.Equals(upstreamAddresses[entry.Upstream]) || !SameQuestion(entry, message))
                {
                    continue;
                }

                pending[id] = null;
                inFlight--;
            }

            DnsHeader.SetId(message, entry.ClientId);
            if (entry.Completion is { } completion)
            {
                completion.TrySetResult(message.ToArray());
                continue;
            }

            try
            {
                entry.ReplySocket!.SendTo(message, SocketFlags.None, entry.Client!);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
            }

            cache.Store(entry.CacheKey, message);
        }
    }

    private static bool SameQuestion(Pending entry, ReadOnlySpan<byte> response) =>
        response.Length >= entry.QuestionEnd
        && response[4..6].SequenceEqual(entry.Query.AsSpan(4, 2))
        && Ascii.EqualsIgnoreCase(response[DnsHeader.Length..entry.QuestionEnd], entry.Query.AsSpan(DnsHeader.Length, entry.QuestionEnd - DnsHeader.Length));

    private void Expire()
    {
        if (Volatile.Read(ref inFlight) == 0)
        {
            return;
        }

        var now = Environment.TickCount64;
        List<Pending>? retry = null;
        List<Pending>? failed = null;
        lock (gate)
        {
            for (var id = 0; id < pending.Length; id++)
            {
                if (pending[id] is not { } entry || entry.Deadline > now)
                {
                    continue;
                }

                // Each upstream gets its turn, twice over when there is only one.
                if (entry.Attempt + 1 < Math.Max(2, upstreams.Count))
                {
                    (retry ??= []).Add(entry);
                    entry.Deadline = long.MaxValue;
                }
                else
                {
                    pending[id] = null;
                    inFlight--;
                    (failed ??= []).Add(entry);
                }
            }
        }

        foreach (var entry in retry ?? [])
        {
            Send(entry, entry.Attempt + 1);
        }

        var name = new char[DnsName.MaxTextLength + 2];
        foreach (var entry in failed ?? [])
        {
            Log.NoUpstreamAnswered(logger, entry.CacheKey);
            if (entry.Completion is { } completion)
            {
                completion.TrySetResult(null);
                continue;
            }

            var response = new byte[entry.QuestionEnd + 64];
            var query = entry.Query.AsSpan();
            DnsHeader.SetId(query, entry.ClientId);
            if (DnsQuery.TryRead(query, name, out var question) != DnsQueryStatus.Ok)
            {
                continue;
            }

            var length = DnsResponse.WriteError(response, query, question, DnsResponseCode.ServerFailure);
            try
            {
                entry.ReplySocket!.SendTo(response.AsSpan(0, length), SocketFlags.None, entry.Client!);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
            }
        }
    }

    public void Dispose()
    {
        stopping = true;
        timer.Dispose();
        foreach (var socket in sockets)
        {
            socket?.Dispose();
        }
    }

    private sealed class Pending(byte[] query, ushort clientId, int questionEnd, string cacheKey, Socket? replySocket, SocketAddress? client)
    {
        /// <summary>Set for a question of the server's own (an alias chased): the answer goes here, not to a client.</summary>
        public TaskCompletionSource<byte[]?>? Completion { get; init; }

        public byte[] Query { get; } = query;

        public ushort ClientId { get; } = clientId;

        public int QuestionEnd { get; } = questionEnd;

        public string CacheKey { get; } = cacheKey;

        public Socket? ReplySocket { get; } = replySocket;

        public SocketAddress? Client { get; } = client;

        public ushort Id { get; set; }

        public int Attempt { get; set; }

        public int Upstream { get; set; }

        public long Deadline { get; set; }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 701, Level = LogLevel.Debug, Message = "Upstream resolver {Upstream} failed: {Reason}")]
        public static partial void UpstreamFailed(ILogger logger, IPEndPoint upstream, string reason);

        [LoggerMessage(EventId = 702, Level = LogLevel.Debug, Message = "No upstream resolver answered {Question}: SERVFAIL")]
        public static partial void NoUpstreamAnswered(ILogger logger, string question);
    }
}
