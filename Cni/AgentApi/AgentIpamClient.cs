using System.Net.Sockets;
using Google.Protobuf;
using Routing.Agent.Api.Grpc;
using Routing.Agent.Api.V1;
using Routing.Cni.AgentApi.Http2;
using Routing.Cni.Protocol;

namespace Routing.Cni.AgentApi;

/// <summary>
/// The agent's IPAM over gRPC on its unix socket. Failures become CNI errors: an agent that cannot
/// be reached, or answers UNAVAILABLE, or too slowly, is "try again later" (11) naming the socket,
/// so the runtime retries; an agent that refuses the request is error 100 with its reason.
/// </summary>
internal sealed class AgentIpamClient : IAgentIpam
{
    private const string Service = "/routing.v1.RoutingAgent/";

    private readonly string socketPath;
    private readonly AgentConnection connection;

    /// <summary>A client whose every call gives up after <paramref name="timeout"/> without an answer.</summary>
    public AgentIpamClient(string socketPath, TimeSpan timeout)
    {
        this.socketPath = socketPath;
        connection = new AgentConnection(socketPath, timeout);
    }

    public Task<IpamAssignResponse> AssignAsync(IpamAssignRequest request, CancellationToken cancellationToken) =>
        CallAsync("IpamAssign", request, IpamAssignResponse.Parser, cancellationToken);

    public Task<IpamReleaseResponse> ReleaseAsync(string handleId, CancellationToken cancellationToken) =>
        CallAsync("IpamRelease", new IpamReleaseRequest { HandleId = handleId }, IpamReleaseResponse.Parser, cancellationToken);

    public Task<IpamAssignResponse> GetAsync(string handleId, CancellationToken cancellationToken) =>
        CallAsync("IpamGet", new IpamGetRequest { HandleId = handleId }, IpamAssignResponse.Parser, cancellationToken);

    public Task<IpamStatusResponse> StatusAsync(CancellationToken cancellationToken) =>
        CallAsync("IpamStatus", new IpamStatusRequest(), IpamStatusResponse.Parser, cancellationToken);

    public Task<IpamListHandlesResponse> ListHandlesAsync(string prefix, CancellationToken cancellationToken) =>
        CallAsync("IpamListHandles", new IpamListHandlesRequest { Prefix = prefix }, IpamListHandlesResponse.Parser, cancellationToken);

    /// <summary>Blocking, on the calling thread (see <see cref="AgentConnection"/>): the task is complete when returned.</summary>
    private Task<TResponse> CallAsync<TResponse>(string method, IMessage request, MessageParser<TResponse> parser, CancellationToken cancellationToken)
        where TResponse : IMessage<TResponse>
    {
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            return Task.FromResult(connection.Unary(Service + method, request, parser));
        }
        catch (GrpcStatusException e) when (e.Status is 14 or 4)
        {
            throw TryAgain($"the agent at {socketPath} is unavailable ({method}): {e.Detail}", e);
        }
        catch (GrpcStatusException e)
        {
            throw new CniException(CniErrorCode.AgentRefused, $"the agent refused {method}: {e.Detail}", e.Message);
        }
        catch (SocketException e)
        {
            throw TryAgain($"cannot reach the agent at {socketPath}: {Reason(e)}", e);
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException)
        {
            throw TryAgain($"the agent at {socketPath} did not answer {method} in time", e);
        }
        catch (InvalidDataException e)
        {
            throw new CniException(CniErrorCode.AgentRefused, $"the agent's answer to {method} is not the gRPC this plugin speaks: {e.Message}", e.Message);
        }
    }

    private static CniException TryAgain(string message, Exception inner) =>
        new(CniErrorCode.TryAgainLater, $"try again later: {message}", inner.Message);

    private static string Reason(SocketException e) => e.SocketErrorCode switch
    {
        SocketError.AddressNotAvailable or SocketError.ConnectionRefused => "is the routing agent running?",
        _ => e.Message,
    };

    public void Dispose() => connection.Dispose();
}
