using System.Text.Json;
using System.Text.Json.Nodes;
using Routing.Agent.Datastore.Store;

namespace Routing.Agent.Datastore.Kubernetes;

public sealed partial class KubernetesResourceStore
{
    /// <summary>A document the server returned, keyed by its metadata, with its resourceVersion as the revision.</summary>
    internal static StoredResource ToStored(KubernetesApiResource resource, string body)
    {
        using var document = ParseObject(body, resource);
        return ToStored(resource, document.RootElement);
    }

    internal static StoredResource ToStored(KubernetesApiResource resource, JsonElement item)
    {
        if (item.ValueKind != JsonValueKind.Object || !item.TryGetProperty("metadata", out var metadata) || metadata.ValueKind != JsonValueKind.Object)
        {
            throw new KubernetesApiException($"kubernetes: a {resource.Kind} from the API server has no metadata");
        }

        var name = String(metadata, "name") ?? throw new KubernetesApiException($"kubernetes: a {resource.Kind} from the API server has no metadata.name");
        var revision = String(metadata, "resourceVersion") ?? throw new KubernetesApiException($"kubernetes: {resource.Kind}/{name} from the API server has no metadata.resourceVersion");
        var key = new ResourceKey(resource.Kind, resource.Namespaced ? String(metadata, "namespace") ?? "" : "", name);

        // List items of built-in kinds come without apiVersion and kind; documents are whole here.
        var json = item.TryGetProperty("kind", out _) && item.TryGetProperty("apiVersion", out _)
            ? item.GetRawText()
            : WithType(item, resource);
        return new StoredResource(key, json, revision);
    }

    /// <summary>
    /// The document to send: <c>apiVersion</c>, <c>kind</c>, <c>metadata.name</c> (and namespace)
    /// filled in from the key when absent and checked when present, and <c>metadata.resourceVersion</c>
    /// set to the expected revision (the API server's compare-and-swap) or removed for a create.
    /// </summary>
    internal static string PrepareForWrite(KubernetesApiResource resource, ResourceKey key, string json, string? revision)
    {
        ArgumentNullException.ThrowIfNull(json);
        resource.CheckScope(key);
        JsonNode? parsed;
        try
        {
            parsed = JsonNode.Parse(json);
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"{key}: the document is not JSON: {e.Message}", nameof(json), e);
        }

        if (parsed is not JsonObject document)
        {
            throw new ArgumentException($"{key}: the document must be a JSON object", nameof(json));
        }

        Fill(document, "apiVersion", resource.ApiVersion, key);
        Fill(document, "kind", resource.Kind, key);
        if (document["metadata"] is not JsonObject metadata)
        {
            if (document["metadata"] is not null)
            {
                throw new ArgumentException($"{key}: metadata must be an object", nameof(json));
            }

            metadata = [];
            document["metadata"] = metadata;
        }

        Fill(metadata, "name", key.Name, key);
        if (resource.Namespaced)
        {
            Fill(metadata, "namespace", key.Namespace, key);
        }
        else if (metadata["namespace"]?.GetValue<string>() is { Length: > 0 } ns)
        {
            throw new ArgumentException($"{key}: {resource.Kind} is cluster-scoped but the document has metadata.namespace '{ns}'", nameof(json));
        }

        if (revision is null)
        {
            metadata.Remove("resourceVersion");
        }
        else
        {
            metadata["resourceVersion"] = revision;
        }

        return document.ToJsonString();
    }

    private static void Fill(JsonObject node, string field, string expected, ResourceKey key)
    {
        var value = node[field];
        if (value is null)
        {
            node[field] = expected;
            return;
        }

        if (value.GetValueKind() != JsonValueKind.String || value.GetValue<string>() != expected)
        {
            throw new ArgumentException($"{key}: the document has {field} {value.ToJsonString()}, expected \"{expected}\"");
        }
    }

    private static string WithType(JsonElement item, KubernetesApiResource resource)
    {
        var document = new JsonObject
        {
            ["apiVersion"] = resource.ApiVersion,
            ["kind"] = resource.Kind,
        };
        foreach (var property in item.EnumerateObject())
        {
            document[property.Name] = JsonNode.Parse(property.Value.GetRawText());
        }

        return document.ToJsonString();
    }

    private static JsonDocument ParseObject(string body, KubernetesApiResource resource)
    {
        try
        {
            return JsonDocument.Parse(body);
        }
        catch (JsonException e)
        {
            throw new KubernetesApiException($"kubernetes: the API server sent a {resource.Kind} that is not JSON: {e.Message}", e);
        }
    }

    private static string? String(JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
