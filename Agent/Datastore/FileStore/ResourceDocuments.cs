using Routing.Agent.Datastore.Store;
using Routing.Agent.Resources;

namespace Routing.Agent.Datastore.FileStore;

/// <summary>The resources of a YAML text as JSON documents, keyed by kind and name (for <c>routing apply</c>).</summary>
internal static class ResourceDocuments
{
    public static IReadOnlyList<(ResourceKey Key, string Json)> Read(string yaml) =>
        [.. YamlDocuments.Load(yaml).Select(d => YamlJson.ToJson(d.Root)).Select(json => (ResourceFileDocuments.KeyOf(json), json))];
}
