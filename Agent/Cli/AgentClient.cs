using System.Net.Http;
using System.Net.Sockets;
using Routing.Agent.Api.Grpc;
using Routing.Agent.Api.V1;

namespace Routing.Agent.Cli;

/// <summary>The CLI's view of the agent API, with errors an operator can act on.</summary>
internal sealed class AgentClient(string socketPath) : IDisposable
{
    private readonly GrpcConnection connection = new(socketPath);

    public Task<GetBgpStatusResponse> GetBgpStatusAsync(CancellationToken cancellationToken) =>
        CallAsync("GetBgpStatus", new GetBgpStatusRequest(), GetBgpStatusResponse.Parser, cancellationToken);

    public Task<ListBgpRoutesResponse> ListBgpRoutesAsync(ListBgpRoutesRequest request, CancellationToken cancellationToken) =>
        CallAsync("ListBgpRoutes", request, ListBgpRoutesResponse.Parser, cancellationToken);

    private async Task<T> CallAsync<T>(string method, Google.Protobuf.IMessage request, Google.Protobuf.MessageParser<T> parser, CancellationToken cancellationToken)
        where T : Google.Protobuf.IMessage<T>
    {
        if (!File.Exists(socketPath))
        {
            throw new CliException($"no agent API socket at {socketPath}. Is `routing agent` running on this node? (choose another socket with --socket)");
        }

        try
        {
            return await connection.UnaryAsync(Api.ApiServer.Service + method, request, parser, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e) when (e.InnerException is SocketException or null)
        {
            throw new CliException($"cannot reach the agent at {socketPath}: {e.InnerException?.Message ?? e.Message}. Is `routing agent` running? (choose another socket with --socket)");
        }
        catch (GrpcStatusException e)
        {
            throw new CliException(e.Detail.Length > 0 ? e.Detail : e.Message);
        }
    }

    public void Dispose() => connection.Dispose();
}

/// <summary>An error the CLI reports as one line on stderr, exiting 1.</summary>
internal sealed class CliException(string message) : Exception(message);
