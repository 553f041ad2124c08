using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Routing.Agent.Dns.Wire;
using Routing.Agent.Dns.Zone;

namespace Routing.Agent.Dns.Server;

/// <summary>
/// The cluster DNS server: UDP and TCP on one address. UDP queries are received by a few threads
/// that block in recvfrom and answer in place (no allocation for a zone answer); names outside the
/// zone go to the <see cref="Forwarder"/>, through the <see cref="ResponseCache"/>. TCP connections
/// (RFC 7766) are served one task each, several queries per connection.
/// </summary>
public sealed partial class DnsServer : IAsyncDisposable
{
    private readonly DnsServerOptions options;
    private readonly ILogger logger;
    private readonly Socket udp;
    private readonly Socket tcp;
    private readonly Forwarder forwarder;
    private readonly ResponseCache cache;
    private readonly CancellationTokenSource stopping = new();
    private readonly List<Thread> receivers = [];
    private readonly Task accepting;

    private DnsServer(DnsServerOptions options, ClusterZone zone, ILogger logger)
    {
        this.options = options;
        this.logger = logger;
        Responder = new DnsResponder(zone);
        cache = new ResponseCache(options.CacheCapacity, options.CacheMaxTtl);
        var family = options.Listen.AddressFamily;
        udp = options.SocketFactory(family, SocketType.Dgram, ProtocolType.Udp);
        tcp = options.SocketFactory(family, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            // Bursts of queries wait in the kernel rather than being dropped.
            udp.ReceiveBufferSize = 4 << 20;
            udp.Bind(options.Listen);
            var bound = (IPEndPoint)udp.LocalEndPoint!;
            tcp.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            tcp.Bind(bound);
            tcp.Listen(128);
            EndPoint = bound;
            forwarder = new Forwarder(options, cache, logger);
        }
        catch (SocketException e)
        {
            udp.Dispose();
            tcp.Dispose();
            throw new DnsListenException(options.Listen, e);
        }
        catch
        {
            udp.Dispose();
            tcp.Dispose();
            throw;
        }

        for (var i = 0; i < Math.Max(1, options.UdpReceivers); i++)
        {
            var thread = new Thread(ReceiveUdp) { IsBackground = true, Name = $"dns-udp-{i}" };
            receivers.Add(thread);
            thread.Start();
        }

        accepting = Task.Run(() => AcceptAsync(stopping.Token));
    }

    /// <summary>Where it serves (the port chosen when 0 was asked for).</summary>
    public IPEndPoint EndPoint { get; }

    public DnsResponder Responder { get; }

    /// <summary>The zone answers come from; set a new one when the cluster changes.</summary>
    public ClusterZone Zone
    {
        get => Responder.Zone;
        set => Responder.Zone = value;
    }

    public static DnsServer Start(DnsServerOptions options, ClusterZone zone, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(zone);
        var server = new DnsServer(options, zone, logger);
        var upstreams = string.Join(", ", options.Upstreams);
        Log.Serving(logger, server.EndPoint, zone.Options.Domain, upstreams);
        return server;
    }

    private void ReceiveUdp()
    {
        var query = new byte[DnsResponse.MaxTcpLength];
        var response = new byte[DnsResponse.MaxUdpLength];
        var name = new char[DnsName.MaxTextLength + 2];
        var client = new SocketAddress(udp.AddressFamily);
        while (!stopping.IsCancellationRequested)
        {
            int received;
            try
            {
                received = udp.ReceiveFrom(query, SocketFlags.None, client);
            }
            catch (SocketException) when (!stopping.IsCancellationRequested)
            {
                continue;
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                return;
            }

            var message = query.AsSpan(0, received);
            var action = Responder.Respond(message, response, name, null, out var length, out var question, out var alias);
            if (alias is not null && forwarder.HasUpstreams)
            {
                var chased = message.ToArray();
                var clientCopy = new SocketAddress(client.Family, client.Size);
                client.Buffer.Span[..client.Size].CopyTo(clientCopy.Buffer.Span);
                var cname = response.AsSpan(0, length).ToArray();
                _ = Task.Run(async () =>
                {
                    var reply = await ChaseAsync(chased, question, cname, alias, DnsResponse.UdpLimit(question)).ConfigureAwait(false);
                    try
                    {
                        udp.SendTo(reply, SocketFlags.None, clientCopy);
                    }
                    catch (Exception e) when (e is SocketException or ObjectDisposedException)
                    {
                    }
                });
                continue;
            }

            if (action == ResponderAction.Forward)
            {
                var key = ResponseCache.KeyFor(name.AsSpan(0, question.NameLength), question);
                if (cache.TryAnswer(key, message, question, response, DnsResponse.UdpLimit(question), out length))
                {
                    action = ResponderAction.Reply;
                }
                else if (forwarder.HasUpstreams)
                {
                    forwarder.ForwardUdp(message, question, key, udp, client);
                    continue;
                }
                else
                {
                    length = DnsResponse.WriteError(response, message, question, DnsResponseCode.ServerFailure);
                    action = ResponderAction.Reply;
                }
            }

            if (action == ResponderAction.Reply)
            {
                try
                {
                    udp.SendTo(response.AsSpan(0, length), SocketFlags.None, client);
                }
                catch (SocketException)
                {
                }
                catch (ObjectDisposedException)
                {
                    return;
                }
            }
        }
    }

    private async Task AcceptAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            Socket connection;
            try
            {
                connection = await tcp.AcceptAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException e)
            {
                Log.AcceptFailed(logger, e.Message);
                continue;
            }

            _ = Task.Run(() => ServeTcpAsync(connection, cancellationToken), CancellationToken.None);
        }
    }

    // RFC 1035 §4.2.2: each message is preceded by its length in two octets.
    private async Task ServeTcpAsync(Socket connection, CancellationToken cancellationToken)
    {
        var query = ArrayPool<byte>.Shared.Rent(DnsResponse.MaxTcpLength + 2);
        var response = ArrayPool<byte>.Shared.Rent(DnsResponse.MaxTcpLength + 2);
        var name = new char[DnsName.MaxTextLength + 2];
        try
        {
            using (connection)
            {
                while (!cancellationToken.IsCancellationRequested)
                {
                    using var idle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                    idle.CancelAfter(options.TcpIdleTimeout);
                    if (!await ReceiveExactlyAsync(connection, query.AsMemory(0, 2), idle.Token).ConfigureAwait(false))
                    {
                        return;
                    }

                    var length = BinaryPrimitives.ReadUInt16BigEndian(query);
                    if (!await ReceiveExactlyAsync(connection, query.AsMemory(0, length), idle.Token).ConfigureAwait(false))
                    {
                        return;
                    }

                    var reply = await AnswerTcpAsync(query.AsMemory(0, length), response, name, cancellationToken).ConfigureAwait(false);
                    if (reply.Length == 0)
                    {
                        continue;
                    }

                    await connection.SendAsync(reply, SocketFlags.None, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException or IOException)
        {
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(query);
            ArrayPool<byte>.Shared.Return(response);
        }
    }

    // The framed reply (length first), in `response` or a new array for a forwarded answer.
    private async Task<ReadOnlyMemory<byte>> AnswerTcpAsync(ReadOnlyMemory<byte> query, byte[] response, char[] name, CancellationToken cancellationToken)
    {
        var action = Responder.Respond(query.Span, response.AsSpan(2), name, DnsResponse.MaxTcpLength, out var length, out var question, out var alias);
        if (action == ResponderAction.Drop)
        {
            return ReadOnlyMemory<byte>.Empty;
        }

        if (alias is not null && forwarder.HasUpstreams)
        {
            var reply = await ChaseAsync(query.ToArray(), question, response.AsSpan(2, length).ToArray(), alias, DnsResponse.MaxTcpLength).ConfigureAwait(false);
            var framed = new byte[reply.Length + 2];
            BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)reply.Length);
            reply.CopyTo(framed, 2);
            return framed;
        }

        if (action == ResponderAction.Forward)
        {
            var key = ResponseCache.KeyFor(name.AsSpan(0, question.NameLength), question);
            if (!cache.TryAnswer(key, query.Span, question, response.AsSpan(2), DnsResponse.MaxTcpLength, out length))
            {
                var forwarded = forwarder.HasUpstreams ? await forwarder.ForwardTcpAsync(query, key, cancellationToken).ConfigureAwait(false) : null;
                if (forwarded is not null)
                {
                    var framed = new byte[forwarded.Length + 2];
                    BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)forwarded.Length);
                    forwarded.CopyTo(framed, 2);
                    return framed;
                }

                length = DnsResponse.WriteError(response.AsSpan(2), query.Span, question, DnsResponseCode.ServerFailure);
            }
        }

        BinaryPrimitives.WriteUInt16BigEndian(response, (ushort)length);
        return response.AsMemory(0, length + 2);
    }

    // The zone's CNAME, then the upstream's answer for the alias (RFC 1034 §4.3.2 step 3a: a
    // recursive server restarts at the canonical name); the RCODE is the alias's (RFC 6604 §2.1).
    // When no upstream answers, the CNAME alone.
    private async Task<byte[]> ChaseAsync(byte[] query, DnsQuery question, byte[] cnameOnly, string alias, int limit)
    {
        var upstreamQuery = AliasQuery(alias, question.Type);
        var upstream = await forwarder.QueryAsync(upstreamQuery, upstreamQuery.Length - 11).ConfigureAwait(false);
        if (upstream is null || upstream.Length < DnsHeader.Length)
        {
            return cnameOnly;
        }

        var name = new char[DnsName.MaxTextLength + 2];
        var cname = Zone.Answer(name.AsSpan(0, CopyName(query, name)), question.Type).Answer;
        var records = new RecordWriter();
        if (!RecordCopier.TryCopyAnswers(upstream, records))
        {
            return cnameOnly;
        }

        var code = (DnsResponseCode)(DnsHeader.Flags(upstream) & 0xF);
        if (code is not (DnsResponseCode.NoError or DnsResponseCode.NameError))
        {
            return cnameOnly;
        }

        var buffer = new byte[DnsResponse.MaxTcpLength];
        var length = DnsResponse.Write(buffer, query, question, code, authoritative: true, RecordSet.Concat([cname, records.ToRecordSet()]), null, null, limit);
        return buffer.AsSpan(0, length).ToArray();
    }

    private static int CopyName(byte[] query, char[] name)
    {
        var offset = DnsHeader.Length;
        return DnsName.TryRead(query, ref offset, name, out var length, out _) ? length : 0;
    }

    // A recursive question for the alias, with EDNS (1232) so that its answer is rarely truncated.
    private static byte[] AliasQuery(string alias, DnsType type)
    {
        var writer = new ArrayBufferWriter<byte>(DnsHeader.Length + DnsName.WireLength(alias) + 15);
        DnsHeader.Write(writer.GetSpan(DnsHeader.Length), 0, DnsHeader.RD, 1, 0, 0, 1);
        writer.Advance(DnsHeader.Length);
        DnsName.Write(writer, alias);
        var tail = writer.GetSpan(15);
        BinaryPrimitives.WriteUInt16BigEndian(tail, (ushort)type);
        BinaryPrimitives.WriteUInt16BigEndian(tail[2..], DnsClass.Internet);
        tail[4] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(tail[5..], (ushort)DnsType.OPT);
        BinaryPrimitives.WriteUInt16BigEndian(tail[7..], DnsResponse.AdvertisedUdpPayloadSize);
        BinaryPrimitives.WriteUInt32BigEndian(tail[9..], 0);
        BinaryPrimitives.WriteUInt16BigEndian(tail[13..], 0);
        writer.Advance(15);
        return writer.WrittenSpan.ToArray();
    }

    private static async Task<bool> ReceiveExactlyAsync(Socket socket, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        while (buffer.Length > 0)
        {
            var read = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return false;
            }

            buffer = buffer[read..];
        }

        return true;
    }

    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync().ConfigureAwait(false);
        udp.Dispose();
        tcp.Dispose();
        forwarder.Dispose();
        try
        {
            await accepting.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        foreach (var thread in receivers)
        {
            thread.Join(TimeSpan.FromSeconds(2));
        }

        stopping.Dispose();
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 700, Level = LogLevel.Information, Message = "Cluster DNS serving {EndPoint} (UDP and TCP) for {Domain}; other names forwarded to [{Upstreams}]")]
        public static partial void Serving(ILogger logger, IPEndPoint endPoint, string domain, string upstreams);

        [LoggerMessage(EventId = 703, Level = LogLevel.Warning, Message = "Cluster DNS: a TCP connection could not be accepted: {Reason}")]
        public static partial void AcceptFailed(ILogger logger, string reason);
    }
}
