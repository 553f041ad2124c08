using System.Buffers;
using System.IO.Pipelines;
using Google.Protobuf;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Routing.Agent.Api.Grpc;
using Routing.Agent.Api.V1;

namespace Routing.Agent.Api;

/// <summary>
/// Serves <c>routing.v1.RoutingAgent</c> as gRPC (HTTP/2 cleartext) on a unix socket with mode
/// 0600: unary calls framed by hand (the gRPC server packages are not on the package mirror),
/// status in trailers, errors as INVALID_ARGUMENT or INTERNAL with a message.
/// </summary>
public sealed class ApiServer : IAsyncDisposable
{
    public const string DefaultSocket = "/run/routing/agent.sock";
    /// <summary>The path prefix of the service's methods.</summary>
    internal const string Service = "/routing.v1.RoutingAgent/";

    private readonly WebApplication app;

    private ApiServer(WebApplication app, string socketPath)
    {
        this.app = app;
        SocketPath = socketPath;
    }

    public string SocketPath { get; }

    public static async Task<ApiServer> StartAsync(string socketPath, AgentApi api, ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(api);
        var directory = Path.GetDirectoryName(Path.GetFullPath(socketPath))!;
        Directory.CreateDirectory(directory);
        if (File.Exists(socketPath))
        {
            // A socket left by an agent that did not exit cleanly; a live one would be listening on it.
            File.Delete(socketPath);
        }

        var builder = WebApplication.CreateSlimBuilder();
        builder.Services.RemoveAll<ILoggerFactory>();
        builder.Services.AddSingleton(loggerFactory);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.ListenUnixSocket(socketPath, listen => listen.Protocols = HttpProtocols.Http2));
        var app = builder.Build();
        MapUnary(app, "GetBgpStatus", GetBgpStatusRequest.Parser, api.GetBgpStatusAsync);
        MapUnary(app, "ListBgpRoutes", ListBgpRoutesRequest.Parser, api.ListBgpRoutesAsync);
        MapUnary<IpamAssignRequest, IpamAssignResponse>(app, "IpamAssign", IpamAssignRequest.Parser, (r, ct) => api.Ipam.AssignAsync(r, ct));
        MapUnary<IpamReleaseRequest, IpamReleaseResponse>(app, "IpamRelease", IpamReleaseRequest.Parser, (r, ct) => api.Ipam.ReleaseAsync(r, ct));
        MapUnary<IpamGetRequest, IpamAssignResponse>(app, "IpamGet", IpamGetRequest.Parser, (r, ct) => api.Ipam.GetAsync(r, ct));
        MapUnary<IpamStatusRequest, IpamStatusResponse>(app, "IpamStatus", IpamStatusRequest.Parser, (r, ct) => api.Ipam.StatusAsync(r, ct));
        MapUnary<IpamListHandlesRequest, IpamListHandlesResponse>(app, "IpamListHandles", IpamListHandlesRequest.Parser, (r, ct) => api.Ipam.ListHandlesAsync(r, ct));
        await app.StartAsync().ConfigureAwait(false);
        File.SetUnixFileMode(socketPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return new ApiServer(app, socketPath);
    }

    private static void MapUnary<TRequest, TResponse>(WebApplication app, string method, MessageParser<TRequest> parser, Func<TRequest, CancellationToken, Task<TResponse>> handler)
        where TRequest : IMessage<TRequest>
        where TResponse : IMessage<TResponse>
    {
        app.MapPost(Service + method, async context =>
        {
            var response = context.Response;
            response.ContentType = "application/grpc";
            try
            {
                var request = parser.ParseFrom(await ReadFrameAsync(context.Request.BodyReader, context.RequestAborted).ConfigureAwait(false));
                var result = await handler(request, context.RequestAborted).ConfigureAwait(false);
                await response.Body.WriteAsync(GrpcFrame.Encode(result), context.RequestAborted).ConfigureAwait(false);
                response.AppendTrailer("grpc-status", "0");
            }
            catch (ApiException e)
            {
                Fail(response, e.Status, e.Message);
            }
            catch (InvalidProtocolBufferException e)
            {
                Fail(response, 3, $"malformed request: {e.Message}");
            }
            catch (Exception e) when (e is not OperationCanceledException and not OutOfMemoryException)
            {
                Fail(response, 13, e.Message);
            }
        });
    }

    private static void Fail(HttpResponse response, int status, string message)
    {
        response.AppendTrailer("grpc-status", status.ToString(System.Globalization.CultureInfo.InvariantCulture));
        response.AppendTrailer("grpc-message", Uri.EscapeDataString(message));
    }

    private static async Task<byte[]> ReadFrameAsync(PipeReader reader, CancellationToken cancellationToken)
    {
        var header = new byte[GrpcFrame.HeaderLength];
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            if (buffer.Length >= GrpcFrame.HeaderLength)
            {
                buffer.Slice(0, GrpcFrame.HeaderLength).CopyTo(header);
                var length = GrpcFrame.MessageLength(header) ?? throw new ApiException(12, "compressed requests are not supported");
                if (buffer.Length >= GrpcFrame.HeaderLength + length)
                {
                    var body = buffer.Slice(GrpcFrame.HeaderLength, length).ToArray();
                    reader.AdvanceTo(buffer.GetPosition(GrpcFrame.HeaderLength + length));
                    return body;
                }
            }

            if (result.IsCompleted)
            {
                throw new ApiException(3, "the request ended before a whole message");
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync().ConfigureAwait(false);
        await app.DisposeAsync().ConfigureAwait(false);
        File.Delete(SocketPath);
    }
}
