using System.Net;
using System.Text.Json;
using Routing.Agent.Datastore.Store;

namespace Routing.Agent.Datastore.Kubernetes;

/// <summary>Turns the API server's failures (a Status object, or whatever a proxy sent) into the store's exceptions.</summary>
internal static class ApiErrors
{
    private const int MaxBodyShown = 300;

    /// <summary>The Status object in a response body, or null when the body is something else.</summary>
    public static ApiStatus? ParseStatus(string body)
    {
        try
        {
            var status = JsonSerializer.Deserialize(body, KubernetesJsonContext.Default.ApiStatus);
            return status?.Kind == "Status" ? status : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public static ApiStatus? ParseStatus(JsonElement element) =>
        element.ValueKind == JsonValueKind.Object ? ParseStatus(element.GetRawText()) : null;

    /// <summary>
    /// Whether a 404 says the object is missing, rather than the resource itself (a CRD not
    /// installed): the API server names the object in <c>details.name</c> only in the first case.
    /// </summary>
    public static bool IsObjectNotFound(ApiStatus? status, ResourceKey key) =>
        status is null || status.Details?.Name == key.Name;

    /// <summary>The exception for a failed <paramref name="verb"/> (get, list, create, update, delete, watch) on <paramref name="key"/> or the whole kind.</summary>
    public static Exception ToException(string verb, KubernetesApiResource resource, ResourceKey? key, HttpStatusCode code, string body)
    {
        var status = ParseStatus(body);
        var message = status?.Message ?? Shorten(body);
        var what = key?.ToString() ?? resource.Kind;
        var reason = status?.Reason;
        switch (code)
        {
            case HttpStatusCode.Conflict when reason == "AlreadyExists":
                return new ResourceStoreException(ResourceStoreError.AlreadyExists, key, $"{what} already exists (Kubernetes: {message})");
            case HttpStatusCode.Conflict:
                return new ResourceStoreException(
                    ResourceStoreError.Conflict, key, $"{what} changed since it was read; read it again and retry (Kubernetes: {message})");
            case HttpStatusCode.NotFound when key is { } k && IsObjectNotFound(status, k):
                return new ResourceStoreException(ResourceStoreError.NotFound, key, $"{what} does not exist (Kubernetes: {message})");
            case HttpStatusCode.NotFound:
                return new KubernetesApiException(
                    $"kubernetes: {verb} {what}: the API server does not serve {resource.QualifiedName} ({message}); " +
                    (resource.Group.Length > 0 ? "are Routing's CRDs installed? kubectl apply -f manifests/crds/" : "is this a Kubernetes API server?"),
                    code, reason);
            case HttpStatusCode.Gone:
                return new ResourceStoreException(ResourceStoreError.Expired, key, $"{what}: the revision is no longer kept; list again (Kubernetes: {message})");
            default:
                return new KubernetesApiException($"kubernetes: {verb} {what} failed: {(int)code} {reason ?? code.ToString()}: {message}{Causes(status)}", code, reason);
        }
    }

    private static string Causes(ApiStatus? status) =>
        status?.Details?.Causes is { Count: > 0 } causes
            ? " (" + string.Join("; ", causes.Select(c => c.Field is null ? c.Message : $"{c.Field}: {c.Message}")) + ")"
            : string.Empty;

    private static string Shorten(string body)
    {
        body = body.Trim();
        return body.Length == 0 ? "no details in the response" : body.Length <= MaxBodyShown ? body : body[..MaxBodyShown] + "…";
    }
}
