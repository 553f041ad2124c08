using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using Google.Protobuf;

namespace Routing.Agent.Api.Grpc;

/// <summary>
/// One bidirectional-streaming call (etcd's Watch): requests are written while responses are read.
/// HTTP/2 lets the request body stay open after the response headers arrive; the request content
/// here hands its stream out and completes only when the call ends (or <see cref="CompleteRequest"/>).
/// </summary>
internal sealed class GrpcDuplexCall<TResponse> : IAsyncDisposable
    where TResponse : IMessage<TResponse>
{
    private readonly string method;
    private readonly MessageParser<TResponse> parser;
    private readonly HttpRequestMessage request;
    private readonly DuplexContent content;
    private readonly CancellationTokenSource aborted;
    private readonly SemaphoreSlim writing = new(1, 1);
    private HttpResponseMessage? response;
    private Stream? responseStream;

    private GrpcDuplexCall(string method, MessageParser<TResponse> parser, CancellationToken cancellationToken)
    {
        this.method = method;
        this.parser = parser;
        content = new DuplexContent();
        content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
        request = new HttpRequestMessage(HttpMethod.Post, method)
        {
            Content = content,
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        request.Headers.TE.Add(new TransferCodingWithQualityHeaderValue("trailers"));
        aborted = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
    }

    /// <summary>
    /// Starts the call and sends <paramref name="first"/>: gRPC servers (grpc-go) answer with headers
    /// only once they have something to say, so the first request must go out before they are awaited.
    /// </summary>
    public static async Task<GrpcDuplexCall<TResponse>> StartAsync(
        HttpClient http, string method, IMessage first, MessageParser<TResponse> parser, TimeSpan? startTimeout, CancellationToken cancellationToken)
    {
        var call = new GrpcDuplexCall<TResponse>(method, parser, cancellationToken);

        // The timeout bounds the start only; the request itself lives as long as the call.
        using var starting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (startTimeout is { } timeout)
        {
            starting.CancelAfter(timeout);
        }

        try
        {
            var sending = http.SendAsync(call.request, HttpCompletionOption.ResponseHeadersRead, call.aborted.Token);
            var opened = await Task.WhenAny(call.content.Stream, sending).WaitAsync(starting.Token).ConfigureAwait(false);
            if (opened == sending)
            {
                // The request failed before its body was asked for (e.g. connection refused).
                (await sending.ConfigureAwait(false)).Dispose();
                throw new GrpcStatusException(method, 13, "the server answered before the request was sent");
            }

            await call.WriteAsync(first, starting.Token).ConfigureAwait(false);
            call.response = await sending.WaitAsync(starting.Token).ConfigureAwait(false);
            if (call.response.StatusCode != HttpStatusCode.OK)
            {
                throw new GrpcStatusException(method, 14, $"HTTP status {(int)call.response.StatusCode}");
            }

            GrpcConnection.ThrowIfFailed(method, call.response.Headers);
            call.responseStream = await call.response.Content.ReadAsStreamAsync(starting.Token).ConfigureAwait(false);
            return call;
        }
        catch
        {
            await call.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Sends one more request message on the call.</summary>
    public async Task WriteAsync(IMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        var frame = GrpcFrame.Encode(message);
        var stream = await content.Stream.WaitAsync(cancellationToken).ConfigureAwait(false);
        await writing.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await stream.WriteAsync(frame, cancellationToken).ConfigureAwait(false);
            await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ObjectDisposedException e) when (!aborted.IsCancellationRequested)
        {
            // HttpClient disposes the request stream when the connection goes away under it (the
            // server stopped or reset it): that is a lost connection, not a bug of ours.
            throw new IOException($"{method}: the connection closed while a request was being sent", e);
        }
        finally
        {
            writing.Release();
        }
    }

    /// <summary>Ends the request stream (half-close): the server sees that no more requests come.</summary>
    public void CompleteRequest() => content.Complete();

    /// <summary>The response messages as they arrive; ends when the server ends the call with status OK.</summary>
    public async IAsyncEnumerable<TResponse> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var stream = responseStream ?? throw new InvalidOperationException("the call has not started");
        while (await GrpcConnection.ReadMessageAsync(method, stream, cancellationToken).ConfigureAwait(false) is { } body)
        {
            yield return parser.ParseFrom(body);
        }

        GrpcConnection.ThrowIfFailed(method, response!.TrailingHeaders);
    }

    public async ValueTask DisposeAsync()
    {
        // Cancelling resets the HTTP/2 stream; completing the content lets its sender return.
        await aborted.CancelAsync().ConfigureAwait(false);
        content.Complete();
        if (responseStream is not null)
        {
            await responseStream.DisposeAsync().ConfigureAwait(false);
        }

        response?.Dispose();
        request.Dispose();
        aborted.Dispose();
        writing.Dispose();
    }

    /// <summary>A request body that stays open: HttpClient's sender hands us its stream and waits.</summary>
    private sealed class DuplexContent : HttpContent
    {
        private readonly TaskCompletionSource<Stream> stream = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource completed = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<Stream> Stream => stream.Task;

        public void Complete() => completed.TrySetResult();

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
            SerializeToStreamAsync(stream, context, CancellationToken.None);

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
        {
            this.stream.TrySetResult(stream);
            await completed.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        protected override bool TryComputeLength(out long length)
        {
            length = -1;
            return false;
        }
    }
}
