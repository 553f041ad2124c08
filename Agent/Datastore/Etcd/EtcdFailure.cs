using System.Net.Http;
using System.Net.Sockets;
using Routing.Agent.Api.Grpc;

namespace Routing.Agent.Datastore.Etcd;

/// <summary>Tells which failures of a call to an etcd endpoint are worth another endpoint, and says them in words.</summary>
internal static class EtcdFailure
{
    private const int Unavailable = 14;

    /// <summary>
    /// The endpoint is down, unreachable, too slow or between leaders: another endpoint, or the same
    /// one a little later, may do. Errors etcd answered with deliberately (bad request, compacted) are not.
    /// </summary>
    public static bool IsTransient(Exception error) => error switch
    {
        GrpcStatusException grpc => grpc.Status == Unavailable,
        IOException { InnerException: GrpcStatusException grpc } => grpc.Status == Unavailable,
        HttpRequestException or IOException or OperationCanceledException or TimeoutException => true,
        _ => false,
    };

    /// <summary>The request surely never reached etcd (no connection), so even a write may go to the next endpoint.</summary>
    public static bool NeverSent(Exception error) =>
        error is HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError };

    /// <summary>"etcd at http://127.0.0.1:2379: connection refused".</summary>
    public static string Describe(string endpoint, Exception error, TimeSpan timeout) => $"etcd at {endpoint}: {Reason(error, timeout)}";

    private static string Reason(Exception error, TimeSpan timeout)
    {
        for (var e = error; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case SocketException socket:
                    return socket.SocketErrorCode switch
                    {
                        SocketError.ConnectionRefused => "connection refused",
                        SocketError.ConnectionReset => "connection reset",
                        SocketError.TimedOut => "connection timed out",
                        SocketError.HostNotFound or SocketError.NoData => "host not found",
                        SocketError.HostUnreachable => "host unreachable",
                        SocketError.NetworkUnreachable => "network unreachable",
                        _ => socket.Message,
                    };
                case TimeoutException:
                    return "connection timed out";
                case GrpcStatusException grpc:
                    return $"{grpc.Detail} (gRPC status {grpc.Status})";
            }
        }

        return error switch
        {
            OperationCanceledException => $"no answer within {timeout.TotalSeconds:0.###} s",
            HttpRequestException or IOException => $"connection lost ({error.Message})",
            _ => error.Message,
        };
    }
}
