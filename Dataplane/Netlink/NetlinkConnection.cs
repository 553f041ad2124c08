using Routing.Dataplane.Namespaces;

namespace Routing.Dataplane.Netlink;

/// <summary>
/// Requests and their answers over one rtnetlink socket: a request with an ACK, a dump, or a
/// batch without ACKs. Calls are serialised; each gets fresh sequence numbers, and answers
/// to other sequence numbers (left over from an earlier call) are skipped.
/// </summary>
public sealed class NetlinkConnection : IDisposable
{
    /// <summary>The socket buffers a batch needs to keep thousands of requests (and their errors) in flight.</summary>
    public const int DefaultBufferBytes = 4 << 20;

    /// <summary>Requests per datagram in a batch: 256–2048 measured best (BENCHMARKING.md).</summary>
    public const int DefaultMessagesPerDatagram = 1024;

    private const int MaxDatagramBytes = 256 << 10;

    // What one error answer costs in the receive buffer (skb truesize, not its 36 bytes).
    private const int ErrorAnswerCost = 1024;
    private const int MaxDumpRestarts = 10;

    private readonly Lock gate = new();
    private readonly NetlinkMessageBuilder builder = new(64 << 10);
    private readonly byte[] receiveBuffer = new byte[64 << 10];
    private readonly NetlinkSocket socket;
    private readonly int datagramBytes;
    private readonly int requestsInFlight;
    private uint nextSequence;

    private NetlinkConnection(NetlinkSocket socket)
    {
        this.socket = socket;
        nextSequence = (uint)Environment.TickCount;

        // Without CAP_NET_ADMIN the FORCE options fail and the buffers stop at the sysctl maxima:
        // keep each datagram within the send buffer (the kernel refuses larger ones, EMSGSIZE) and
        // each datagram's worst case of answers within the receive buffer (else ENOBUFS loses them).
        datagramBytes = Math.Clamp(socket.SendBufferSize - (16 << 10), 4 << 10, MaxDatagramBytes);
        requestsInFlight = Math.Max(16, socket.ReceiveBufferSize / ErrorAnswerCost);
    }

    /// <summary>A connection to the kernel of <paramref name="ns"/> (null: the calling thread's namespace).</summary>
    public static NetlinkConnection Open(NetworkNamespace? ns = null, int bufferBytes = DefaultBufferBytes) =>
        Open(() => NetlinkSocket.Open(), ns, bufferBytes);

    /// <summary>A NETLINK_NETFILTER connection (nfnetlink: ipset, …) to the kernel of <paramref name="ns"/>.</summary>
    public static NetlinkConnection OpenNetfilter(NetworkNamespace? ns = null, int bufferBytes = 1 << 20) =>
        Open(NetlinkSocket.OpenNetfilter, ns, bufferBytes);

    private static NetlinkConnection Open(Func<NetlinkSocket> open, NetworkNamespace? ns, int bufferBytes)
    {
        var socket = ns is null ? open() : ns.Run(open);
        try
        {
            socket.SetBufferSizes(bufferBytes);
            return new NetlinkConnection(socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public NetlinkSocket Socket => socket;

    /// <summary>Writes the body (family header and attributes) of one request.</summary>
    public delegate void MessageBody(NetlinkMessageBuilder builder);

    /// <summary>Reads one message of a reply; false to skip it.</summary>
    public delegate bool MessageParser<T>(in NetlinkMessage message, out T value);

    /// <summary>Sends one request with NLM_F_ACK and waits for its answer; throws <see cref="NetlinkException"/> naming <paramref name="request"/> if refused.</summary>
    public void Execute(NetlinkMessageType type, NetlinkMessageFlags flags, string request, MessageBody body) =>
        Execute<object?>(type, flags, request, body, null, out _);

    /// <summary>Like <see cref="Execute(NetlinkMessageType, NetlinkMessageFlags, string, MessageBody)"/>, returning the one reply message <paramref name="parse"/> accepts (a GET).</summary>
    public T? Execute<T>(NetlinkMessageType type, NetlinkMessageFlags flags, string request, MessageBody body, MessageParser<T>? parse, out bool found)
    {
        lock (gate)
        {
            var sequence = nextSequence++;
            builder.Clear();
            builder.BeginMessage(type, flags | NetlinkMessageFlags.Request | NetlinkMessageFlags.Ack, sequence);
            body(builder);
            builder.EndMessage();
            socket.Send(builder.Written);

            T? result = default;
            found = false;
            while (true)
            {
                var length = socket.Receive(receiveBuffer);
                var reader = new NetlinkMessageReader(receiveBuffer.AsSpan(0, length));
                while (reader.TryRead(out var message))
                {
                    if (message.Sequence != sequence)
                    {
                        continue;
                    }

                    if (message.Type == NetlinkMessageType.Error)
                    {
                        var error = NetlinkError.Read(message);
                        return error.IsAck ? result : throw new NetlinkException(request, error.Errno, error.KernelMessage);
                    }

                    if (parse is not null && !found && parse(message, out var value))
                    {
                        result = value;
                        found = true;
                    }
                }
            }
        }
    }

    /// <summary>Reads one message of a dump in place.</summary>
    public delegate void MessageReader(in NetlinkMessage message);

    /// <summary>Dumps a table (NLM_F_DUMP) and returns what <paramref name="parse"/> accepts; restarts if the table changed mid-dump.</summary>
    public List<T> Dump<T>(NetlinkMessageType type, string request, MessageBody body, MessageParser<T> parse)
    {
        var results = new List<T>();
        DumpEach(
            type,
            request,
            body,
            (in NetlinkMessage message) =>
            {
                if (parse(message, out var value))
                {
                    results.Add(value);
                }
            },
            results.Clear);
        return results;
    }

    /// <summary>
    /// Dumps a table (NLM_F_DUMP) and hands each message to <paramref name="read"/> straight from the
    /// receive buffer: no copy, no object per message. If the table changed mid-dump the dump starts
    /// over, after <paramref name="restart"/> (the reader forgets what it saw).
    /// </summary>
    public void DumpEach(NetlinkMessageType type, string request, MessageBody body, MessageReader read, Action restart)
    {
        ArgumentNullException.ThrowIfNull(read);
        ArgumentNullException.ThrowIfNull(restart);
        lock (gate)
        {
            for (var attempt = 0; !TryDump(type, request, body, read) && attempt < MaxDumpRestarts; attempt++)
            {
                restart();
            }
        }
    }

    /// <summary>
    /// Sends a batch <paramref name="messagesPerDatagram"/> requests per sendmsg, without ACKs except
    /// on the very last request (its ACK marks that every answer is in). Errors are drained
    /// between datagrams so the receive buffer never overflows.
    /// </summary>
    public NetlinkBatchResult Send(NetlinkBatch batch, int messagesPerDatagram = DefaultMessagesPerDatagram)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var count = batch.Count;
        var errors = new List<NetlinkRequestError>();
        if (count == 0)
        {
            return new NetlinkBatchResult(0, errors);
        }

        lock (gate)
        {
            var first = nextSequence;
            nextSequence = unchecked(nextSequence + (uint)count);
            var last = unchecked(first + (uint)(count - 1));
            var done = false;
            var index = 0;
            var perDatagram = Math.Clamp(messagesPerDatagram, 1, requestsInFlight);
            while (index < count)
            {
                builder.Clear();
                var end = Math.Min(count, index + perDatagram);
                for (; index < end && builder.Length < datagramBytes; index++)
                {
                    batch.Write(builder, index, unchecked(first + (uint)index));
                }

                if (index == count)
                {
                    builder.AddFlagsToLastMessage(NetlinkMessageFlags.Ack);
                }

                socket.Send(builder.Written);
                done = Drain(batch, first, last, errors, wait: false);
            }

            while (!done)
            {
                done = Drain(batch, first, last, errors, wait: true);
            }
        }

        errors.Sort((a, b) => a.Index.CompareTo(b.Index));
        return new NetlinkBatchResult(count, errors);
    }

    public void Dispose() => socket.Dispose();

    private bool TryDump(NetlinkMessageType type, string request, MessageBody body, MessageReader read)
    {
        var sequence = nextSequence++;
        builder.Clear();
        builder.BeginMessage(type, NetlinkMessageFlags.Request | NetlinkMessageFlags.Dump, sequence);
        body(builder);
        builder.EndMessage();
        socket.Send(builder.Written);

        var consistent = true;
        while (true)
        {
            var length = socket.Receive(receiveBuffer);
            var reader = new NetlinkMessageReader(receiveBuffer.AsSpan(0, length));
            while (reader.TryRead(out var message))
            {
                if (message.Sequence != sequence)
                {
                    continue;
                }

                if ((message.Flags & NetlinkMessageFlags.DumpInterrupted) != 0)
                {
                    consistent = false;
                }

                switch (message.Type)
                {
                    case NetlinkMessageType.Done:
                        return consistent;
                    case NetlinkMessageType.Error:
                        var error = NetlinkError.Read(message);
                        if (error.IsAck)
                        {
                            return consistent;
                        }

                        throw new NetlinkException(request, error.Errno, error.KernelMessage);
                    default:
                        read(message);
                        break;
                }
            }
        }
    }

    /// <summary>Reads the answers waiting (or, with <paramref name="wait"/>, at least one datagram); true once the last request's answer is in.</summary>
    private bool Drain(NetlinkBatch batch, uint first, uint last, List<NetlinkRequestError> errors, bool wait)
    {
        var done = false;
        while (true)
        {
            var length = socket.Receive(receiveBuffer, wait);
            if (length == 0)
            {
                return done;
            }

            wait = false;
            var reader = new NetlinkMessageReader(receiveBuffer.AsSpan(0, length));
            while (reader.TryRead(out var message))
            {
                if (message.Type != NetlinkMessageType.Error)
                {
                    continue;
                }

                var error = NetlinkError.Read(message);
                var index = unchecked(error.RequestSequence - first);
                if (index >= (uint)batch.Count)
                {
                    continue;
                }

                if (!error.IsAck)
                {
                    errors.Add(new NetlinkRequestError((int)index, batch.Describe((int)index), error.Errno, error.KernelMessage));
                }

                done |= error.RequestSequence == last;
            }
        }
    }
}
