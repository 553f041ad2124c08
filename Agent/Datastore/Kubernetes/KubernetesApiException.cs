using System.Net;

namespace Routing.Agent.Datastore.Kubernetes;

/// <summary>
/// The API server refused a request for a reason the caller does not handle itself (unauthorised,
/// forbidden, invalid, unreachable, server error). An <see cref="IOException"/>, as
/// <see cref="Store.ResourceStoreError"/> leaves every other failure to be.
/// </summary>
public sealed class KubernetesApiException : IOException
{
    public KubernetesApiException()
    {
    }

    public KubernetesApiException(string message)
        : base(message)
    {
    }

    public KubernetesApiException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public KubernetesApiException(string message, HttpStatusCode? statusCode, string? reason, Exception? innerException = null)
        : base(message, innerException)
    {
        StatusCode = statusCode;
        Reason = reason;
    }

    /// <summary>The HTTP status of the response; null when there was none (the server could not be reached).</summary>
    public HttpStatusCode? StatusCode { get; }

    /// <summary>The Status object's <c>reason</c> (<c>Forbidden</c>, <c>Invalid</c>, …), when it had one.</summary>
    public string? Reason { get; }
}
