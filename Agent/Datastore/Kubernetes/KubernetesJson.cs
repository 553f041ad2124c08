using System.Text.Json;
using System.Text.Json.Serialization;

namespace Routing.Agent.Datastore.Kubernetes;

// The API's envelopes, read and written with System.Text.Json's source generator: the package
// mirror has no KubernetesClient (the library DESIGN.md names), so the store speaks the REST API
// over HttpClient itself, and without reflection-based serialisation. Objects stay JsonElements:
// the store hands documents through whole.

/// <summary>One line of a watch stream (<c>{"type":"ADDED","object":{...}}</c>).</summary>
internal sealed record WatchEventEnvelope(string? Type, JsonElement Object);

/// <summary>A list response: <c>metadata.resourceVersion</c>, <c>metadata.continue</c> and the items.</summary>
internal sealed record ListEnvelope(ListMetadata? Metadata, List<JsonElement>? Items);

internal sealed record ListMetadata(string? ResourceVersion, string? Continue);

/// <summary>The API's <c>Status</c> object: what a failed request (or a watch ERROR event) carries.</summary>
internal sealed record ApiStatus(string? Kind, string? Status, string? Message, string? Reason, int? Code, ApiStatusDetails? Details);

internal sealed record ApiStatusDetails(string? Name, string? Group, string? Kind, List<ApiStatusCause>? Causes);

internal sealed record ApiStatusCause(string? Reason, string? Message, string? Field);

/// <summary>The body of a DELETE: only delete the object at this resourceVersion.</summary>
internal sealed record DeleteOptions(string Kind, string ApiVersion, Preconditions Preconditions);

internal sealed record Preconditions(string ResourceVersion);

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    PropertyNameCaseInsensitive = false)]
[JsonSerializable(typeof(WatchEventEnvelope))]
[JsonSerializable(typeof(ListEnvelope))]
[JsonSerializable(typeof(ApiStatus))]
[JsonSerializable(typeof(DeleteOptions))]
internal sealed partial class KubernetesJsonContext : JsonSerializerContext;
