namespace Routing.Agent.Api.Grpc;

/// <summary>A gRPC call ended with a non-OK status (the server's <c>grpc-status</c> and <c>grpc-message</c>).</summary>
internal sealed class GrpcStatusException : Exception
{
    public GrpcStatusException(string method, int status, string detail)
        : base($"{method} failed: gRPC status {status} ({StatusName(status)}): {detail}")
    {
        Method = method;
        Status = status;
        Detail = detail;
    }

    public GrpcStatusException()
    {
        Method = Detail = string.Empty;
    }

    public GrpcStatusException(string message)
        : base(message)
    {
        Method = Detail = string.Empty;
    }

    public GrpcStatusException(string message, Exception innerException)
        : base(message, innerException)
    {
        Method = Detail = string.Empty;
    }

    public string Method { get; }

    public int Status { get; }

    public string Detail { get; }

    private static string StatusName(int status) => status switch
    {
        0 => "OK",
        1 => "CANCELLED",
        2 => "UNKNOWN",
        3 => "INVALID_ARGUMENT",
        4 => "DEADLINE_EXCEEDED",
        5 => "NOT_FOUND",
        6 => "ALREADY_EXISTS",
        7 => "PERMISSION_DENIED",
        8 => "RESOURCE_EXHAUSTED",
        9 => "FAILED_PRECONDITION",
        10 => "ABORTED",
        11 => "OUT_OF_RANGE",
        12 => "UNIMPLEMENTED",
        13 => "INTERNAL",
        14 => "UNAVAILABLE",
        15 => "DATA_LOSS",
        16 => "UNAUTHENTICATED",
        _ => "?",
    };
}
