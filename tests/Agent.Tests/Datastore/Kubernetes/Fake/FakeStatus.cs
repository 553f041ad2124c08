using System.Text.Json.Nodes;

namespace Routing.Agent.Tests.Datastore.Kubernetes.Fake;

/// <summary>The API's Status objects, as the API server words them (k8s.io/apimachinery/pkg/api/errors).</summary>
public static class FakeStatus
{
    public static JsonObject Failure(int code, string reason, string message, FakeResourceType? type = null, string? name = null)
    {
        var status = new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = "Failure",
            ["message"] = message,
            ["reason"] = reason,
            ["code"] = code,
        };
        if (type is not null && name is not null)
        {
            status["details"] = new JsonObject { ["name"] = name, ["group"] = type.Group, ["kind"] = type.Plural };
        }

        return status;
    }

    public static JsonObject NotFound(FakeResourceType type, string name) =>
        Failure(404, "NotFound", $"{type.QualifiedName} \"{name}\" not found", type, name);

    public static JsonObject AlreadyExists(FakeResourceType type, string name) =>
        Failure(409, "AlreadyExists", $"{type.QualifiedName} \"{name}\" already exists", type, name);

    public static JsonObject Conflict(FakeResourceType type, string name, string why) =>
        Failure(409, "Conflict", $"Operation cannot be fulfilled on {type.QualifiedName} \"{name}\": {why}", type, name);

    public static JsonObject Invalid(FakeResourceType type, string name, string field, string problem) =>
        Failure(422, "Invalid", $"{type.Kind}.{type.Group} \"{name}\" is invalid: {field}: {problem}", type, name);

    public static JsonObject BadRequest(string message) => Failure(400, "BadRequest", message);

    public static JsonObject NoSuchResource() => Failure(404, "NotFound", "the server could not find the requested resource");

    public static JsonObject Unauthorized() => Failure(401, "Unauthorized", "Unauthorized");

    /// <summary>What a watch from a compacted resourceVersion gets, as an ERROR event.</summary>
    public static JsonObject TooOld(long requested, long oldest) =>
        Failure(410, "Expired", $"too old resource version: {requested} ({oldest})");
}
