using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using Google.Protobuf;

namespace Routing.Agent.Api.Grpc;

/// <summary>
/// A minimal gRPC client over HTTP/2 (cleartext, prior knowledge) for unary, server-streaming and
/// bidirectional-streaming calls, over a unix socket or TCP. The Grpc.Net.Client runtime is not on the package mirror;
/// the wire protocol (length-prefixed messages, status in trailers) is small enough to speak here.
/// Shared as source (linked, internal) by the CLI, the test kit and later the CNI plugin.
/// See https://github.com/grpc/grpc/blob/master/doc/PROTOCOL-HTTP2.md.
/// </summary>
internal sealed class GrpcConnection : IDisposable
{
    private readonly HttpClient http;

    /// <summary>Connects to a server listening on a unix socket (e.g. gobgpd's <c>--api-hosts unix://…</c>).</summary>
    public GrpcConnection(string unixSocketPath)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(unixSocketPath), cancellationToken).ConfigureAwait(false);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        http = CreateClient(handler, new Uri("http://localhost"));
    }

    /// <summary>Connects to a server at <paramref name="address"/> (http://host:port).</summary>
    public GrpcConnection(Uri address)
        : this(address, new SocketsHttpHandler())
    {
    }

    /// <summary>Connects to a server at <paramref name="address"/> through a handler the caller tuned (timeouts, keep-alive pings).</summary>
    public GrpcConnection(Uri address, SocketsHttpHandler handler)
    {
        http = CreateClient(handler, address);
    }

    private static HttpClient CreateClient(SocketsHttpHandler handler, Uri address) =>
        new(handler)
        {
            BaseAddress = address,
            DefaultRequestVersion = HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Timeout = Timeout.InfiniteTimeSpan,
        };

    /// <summary>Calls a unary method, e.g. <c>/apipb.GobgpApi/GetBgp</c>.</summary>
    public async Task<TResponse> UnaryAsync<TResponse>(string method, IMessage request, MessageParser<TResponse> parser, CancellationToken cancellationToken = default)
        where TResponse : IMessage<TResponse>
    {
        TResponse? result = default;
        var count = 0;
        await foreach (var response in ServerStreamingAsync(method, request, parser, cancellationToken).ConfigureAwait(false))
        {
            result = response;
            count++;
        }

        return count == 1
            ? result!
            : throw new GrpcStatusException(method, 13, $"a unary call returned {count} messages");
    }

    /// <summary>Calls a server-streaming method and yields each message as it arrives.</summary>
    public async IAsyncEnumerable<TResponse> ServerStreamingAsync<TResponse>(
        string method,
        IMessage request,
        MessageParser<TResponse> parser,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
        where TResponse : IMessage<TResponse>
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(parser);
        var payload = GrpcFrame.Encode(request);

        using var message = new HttpRequestMessage(HttpMethod.Post, method)
        {
            Content = new ByteArrayContent(payload),
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        message.Content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
        message.Headers.TE.Add(new TransferCodingWithQualityHeaderValue("trailers"));

        using var response = await http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new GrpcStatusException(method, 14, $"HTTP status {(int)response.StatusCode}");
        }

        // A "trailers-only" response carries the status in the headers.
        ThrowIfFailed(method, response.Headers);

        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            while (await ReadMessageAsync(method, stream, cancellationToken).ConfigureAwait(false) is { } body)
            {
                yield return parser.ParseFrom(body);
            }
        }

        ThrowIfFailed(method, response.TrailingHeaders);
    }

    /// <summary>
    /// Starts a bidirectional-streaming call, e.g. <c>/etcdserverpb.Watch/Watch</c>, with its first
    /// request; the caller writes more and reads the responses, and disposes the call to end it.
    /// <paramref name="startTimeout"/> bounds the wait for the server's response headers;
    /// <paramref name="cancellationToken"/> ends the whole call.
    /// </summary>
    public Task<GrpcDuplexCall<TResponse>> DuplexStreamingAsync<TResponse>(
        string method,
        IMessage first,
        MessageParser<TResponse> parser,
        TimeSpan? startTimeout = null,
        CancellationToken cancellationToken = default)
        where TResponse : IMessage<TResponse>
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(parser);
        return GrpcDuplexCall<TResponse>.StartAsync(http, method, first, parser, startTimeout, cancellationToken);
    }

    /// <summary>The next length-prefixed message of a response body, or null at its end.</summary>
    internal static async Task<byte[]?> ReadMessageAsync(string method, Stream stream, CancellationToken cancellationToken)
    {
        var header = new byte[GrpcFrame.HeaderLength];
        var read = await ReadFullyAsync(stream, header, cancellationToken).ConfigureAwait(false);
        if (read == 0)
        {
            return null;
        }

        var length = read < header.Length
            ? throw new GrpcStatusException(method, 13, "the response ended inside a message header")
            : GrpcFrame.MessageLength(header) ?? throw new GrpcStatusException(method, 12, "compressed messages are not supported");
        var body = new byte[length];
        if (await ReadFullyAsync(stream, body, cancellationToken).ConfigureAwait(false) < body.Length)
        {
            throw new GrpcStatusException(method, 13, "the response ended inside a message");
        }

        return body;
    }

    internal static void ThrowIfFailed(string method, HttpHeaders headers)
    {
        if (!headers.TryGetValues("grpc-status", out var values))
        {
            return;
        }

        var status = int.Parse(values.First(), System.Globalization.CultureInfo.InvariantCulture);
        if (status != 0)
        {
            var detail = headers.TryGetValues("grpc-message", out var messages) ? Uri.UnescapeDataString(messages.First()) : string.Empty;
            throw new GrpcStatusException(method, status, detail);
        }
    }

    /// <summary>Fills <paramref name="buffer"/> unless the stream ends first; how many bytes were read.</summary>
    private static async Task<int> ReadFullyAsync(Stream stream, byte[] buffer, CancellationToken cancellationToken)
    {
        var read = 0;
        while (read < buffer.Length)
        {
            var n = await stream.ReadAsync(buffer.AsMemory(read), cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                break;
            }

            read += n;
        }

        return read;
    }

    public void Dispose() => http.Dispose();
}
