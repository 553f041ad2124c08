using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;
using Google.Protobuf;
using Routing.Agent.Api.Grpc;

namespace Routing.Cni.AgentApi.Http2;

/// <summary>
/// Unary gRPC calls to the agent over HTTP/2 with prior knowledge (RFC 9113 §3.3) on its unix socket,
/// with blocking reads and writes on the calling thread. HttpClient does the same with a thread pool,
/// an epoll thread and a timer; for a plugin that lives a few milliseconds, starting those cost more
/// than the call. One stream per call; the connection is opened on the first call.
/// </summary>
internal sealed class AgentConnection : IDisposable
{
    private const int FrameHeaderLength = 9;
    private const int MaxFrameSize = 16_384; // SETTINGS_MAX_FRAME_SIZE's initial value (§6.5.2)
    private const int MaxWindow = int.MaxValue;
    private const int DefaultWindow = 65_535;

    private const byte Data = 0x0, Headers = 0x1, ResetStream = 0x3, Settings = 0x4, Ping = 0x6, GoAway = 0x7, Continuation = 0x9;
    private const byte EndStream = 0x1, Ack = 0x1, EndHeaders = 0x4, Padded = 0x8, Priority = 0x20;

    private static readonly byte[] Preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8.ToArray();

    private readonly string socketPath;
    private readonly TimeSpan timeout;
    private readonly HpackDecoder hpack = new();
    private Socket? socket;
    private uint nextStream = 1;

    public AgentConnection(string socketPath, TimeSpan timeout)
    {
        this.socketPath = socketPath;
        this.timeout = timeout;
    }

    /// <summary>
    /// Calls <paramref name="method"/> (e.g. /routing.v1.RoutingAgent/IpamAssign). Throws
    /// <see cref="SocketException"/> when the agent cannot be reached, <see cref="TimeoutException"/>
    /// when it does not answer in time, and <see cref="GrpcStatusException"/> for a non-OK status.
    /// </summary>
    public TResponse Unary<TResponse>(string method, IMessage request, MessageParser<TResponse> parser)
        where TResponse : IMessage<TResponse>
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(parser);
        var stream = nextStream;
        nextStream += 2;
        var output = new MemoryStream();
        if (socket is null)
        {
            Connect();
            output.Write(Preface);

            // Our windows as large as they go: a response (a long GC handle list) never waits for WINDOW_UPDATE.
            Span<byte> settings = stackalloc byte[6];
            BinaryPrimitives.WriteUInt16BigEndian(settings, 0x4); // SETTINGS_INITIAL_WINDOW_SIZE
            BinaryPrimitives.WriteUInt32BigEndian(settings[2..], MaxWindow);
            WriteFrame(output, Settings, 0, 0, settings);
            Span<byte> increment = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(increment, MaxWindow - DefaultWindow);
            WriteFrame(output, 0x8, 0, 0, increment); // WINDOW_UPDATE for the connection
        }

        WriteFrame(output, Headers, EndHeaders, stream, RequestHeaders(method));
        var payload = GrpcFrame.Encode(request);
        for (var offset = 0; ; offset += MaxFrameSize)
        {
            var chunk = payload.AsSpan(offset, Math.Min(MaxFrameSize, payload.Length - offset));
            var last = offset + chunk.Length >= payload.Length;
            WriteFrame(output, Data, last ? EndStream : (byte)0, stream, chunk);
            if (last)
            {
                break;
            }
        }

        Send(output.GetBuffer().AsSpan(0, (int)output.Length));
        return Receive(method, stream, parser);
    }

    public void Dispose() => socket?.Dispose();

    private void Connect()
    {
        var s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified)
        {
            ReceiveTimeout = (int)timeout.TotalMilliseconds,
            SendTimeout = (int)timeout.TotalMilliseconds,
        };
        try
        {
            s.Connect(new UnixDomainSocketEndPoint(socketPath));
        }
        catch
        {
            s.Dispose();
            throw;
        }

        socket = s;
    }

    /// <summary>§8.3.1 pseudo-headers and gRPC's own (PROTOCOL-HTTP2.md), HPACK literals without indexing.</summary>
    private static byte[] RequestHeaders(string method)
    {
        var block = new MemoryStream();
        block.WriteByte(0x83); // :method POST (static 3)
        block.WriteByte(0x86); // :scheme http (static 6)
        WriteLiteral(block, 4, null, method);              // :path
        WriteLiteral(block, 1, null, "localhost");         // :authority
        WriteLiteral(block, 31, null, "application/grpc"); // content-type
        WriteLiteral(block, 0, "te", "trailers");
        return block.ToArray();
    }

    /// <summary>RFC 7541 §6.2.2: a literal without indexing, the name by static index or (0) literal.</summary>
    private static void WriteLiteral(MemoryStream block, int nameIndex, string? name, string value)
    {
        WriteInteger(block, 0x00, 4, nameIndex);
        if (name is not null)
        {
            WriteString(block, name);
        }

        WriteString(block, value);
    }

    private static void WriteString(MemoryStream block, string text)
    {
        var bytes = Encoding.ASCII.GetBytes(text);
        WriteInteger(block, 0x00, 7, bytes.Length);
        block.Write(bytes);
    }

    /// <summary>RFC 7541 §5.1.</summary>
    private static void WriteInteger(MemoryStream block, byte flags, int prefixBits, int value)
    {
        var max = (1 << prefixBits) - 1;
        if (value < max)
        {
            block.WriteByte((byte)(flags | value));
            return;
        }

        block.WriteByte((byte)(flags | max));
        for (value -= max; value >= 0x80; value >>= 7)
        {
            block.WriteByte((byte)((value & 0x7f) | 0x80));
        }

        block.WriteByte((byte)value);
    }

    private static void WriteFrame(MemoryStream output, byte type, byte flags, uint stream, ReadOnlySpan<byte> payload)
    {
        Span<byte> header = stackalloc byte[FrameHeaderLength];
        header[0] = (byte)(payload.Length >> 16);
        header[1] = (byte)(payload.Length >> 8);
        header[2] = (byte)payload.Length;
        header[3] = type;
        header[4] = flags;
        BinaryPrimitives.WriteUInt32BigEndian(header[5..], stream);
        output.Write(header);
        output.Write(payload);
    }

    private TResponse Receive<TResponse>(string method, uint stream, MessageParser<TResponse> parser)
        where TResponse : IMessage<TResponse>
    {
        var fields = new List<(string Name, string Value)>();
        var body = new MemoryStream();
        var headerBlock = new MemoryStream();
        var headersSeen = 0;
        var ended = false;
        var header = new byte[FrameHeaderLength];
        while (true)
        {
            ReadExactly(header);
            var length = (header[0] << 16) | (header[1] << 8) | header[2];
            var (type, flags) = (header[3], header[4]);
            var id = BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(5)) & 0x7fffffff;
            var payload = new byte[length];
            ReadExactly(payload);

            switch (type)
            {
                case Settings when (flags & Ack) == 0:
                    SendFrame(Settings, Ack, 0, []);
                    continue;
                case Ping when (flags & Ack) == 0:
                    SendFrame(Ping, Ack, 0, payload);
                    continue;
                case GoAway:
                    throw new GrpcStatusException(method, 14, "the agent closed the connection (GOAWAY)");
                case ResetStream when id == stream:
                    throw new GrpcStatusException(method, 14, $"the agent reset the stream (error {BinaryPrimitives.ReadUInt32BigEndian(payload)})");
                case Data when id == stream:
                    body.Write(Unpad(payload, flags));
                    break;
                case Headers when id == stream:
                    headerBlock.SetLength(0);
                    var block = Unpad(payload, flags);
                    headerBlock.Write((flags & Priority) != 0 ? block[5..] : block);
                    break;
                case Continuation when id == stream:
                    headerBlock.Write(payload);
                    break;
                default:
                    continue; // WINDOW_UPDATE, SETTINGS ACK, PRIORITY, other streams
            }

            if (type is Headers or Continuation && (flags & EndHeaders) != 0)
            {
                hpack.Decode(headerBlock.GetBuffer().AsSpan(0, (int)headerBlock.Length), fields);
                if (headersSeen++ == 0 && Field(fields, ":status") is { } status && status != "200")
                {
                    throw new GrpcStatusException(method, 14, $"HTTP status {status}");
                }
            }

            // END_STREAM sits on the last DATA frame or on the trailers' HEADERS, which CONTINUATIONs may still follow.
            ended |= (flags & EndStream) != 0 && type is Data or Headers;
            if (ended && !(type is Headers or Continuation && (flags & EndHeaders) == 0))
            {
                break;
            }
        }

        var code = Field(fields, "grpc-status") ?? throw new GrpcStatusException(method, 13, "the response has no grpc-status");
        if (code != "0")
        {
            var detail = Field(fields, "grpc-message") is { } message ? Uri.UnescapeDataString(message) : string.Empty;
            throw new GrpcStatusException(method, int.TryParse(code, out var n) ? n : 2, detail);
        }

        var bytes = body.GetBuffer().AsSpan(0, (int)body.Length);
        if (bytes.Length < GrpcFrame.HeaderLength
            || GrpcFrame.MessageLength(bytes) is not { } messageLength
            || messageLength != bytes.Length - GrpcFrame.HeaderLength)
        {
            throw new GrpcStatusException(method, 13, "a unary call must return exactly one uncompressed message");
        }

        return parser.ParseFrom(bytes[GrpcFrame.HeaderLength..]);
    }

    private static string? Field(List<(string Name, string Value)> fields, string name)
    {
        for (var i = fields.Count - 1; i >= 0; i--)
        {
            if (fields[i].Name == name)
            {
                return fields[i].Value;
            }
        }

        return null;
    }

    /// <summary>§6.1: a PADDED frame's pad length byte and padding removed.</summary>
    private static ReadOnlySpan<byte> Unpad(byte[] payload, byte flags)
    {
        if ((flags & Padded) == 0)
        {
            return payload;
        }

        var pad = payload.Length > 0 ? payload[0] : throw new InvalidDataException("HTTP/2: a PADDED frame without its pad length");
        return pad < payload.Length ? payload.AsSpan(1, payload.Length - 1 - pad) : throw new InvalidDataException("HTTP/2: padding longer than the frame");
    }

    private void SendFrame(byte type, byte flags, uint stream, ReadOnlySpan<byte> payload)
    {
        var output = new MemoryStream();
        WriteFrame(output, type, flags, stream, payload);
        Send(output.GetBuffer().AsSpan(0, (int)output.Length));
    }

    private void Send(ReadOnlySpan<byte> bytes)
    {
        try
        {
            while (bytes.Length > 0)
            {
                bytes = bytes[socket!.Send(bytes)..];
            }
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.TimedOut or SocketError.WouldBlock)
        {
            throw new TimeoutException($"the agent did not take the request within {timeout.TotalSeconds:0.#} s", e);
        }
    }

    private void ReadExactly(Span<byte> buffer)
    {
        try
        {
            while (buffer.Length > 0)
            {
                var n = socket!.Receive(buffer);
                buffer = n > 0 ? buffer[n..] : throw new GrpcStatusException("(connection)", 14, "the agent closed the connection mid-response");
            }
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.TimedOut or SocketError.WouldBlock)
        {
            throw new TimeoutException($"the agent did not answer within {timeout.TotalSeconds:0.#} s", e);
        }
    }
}
