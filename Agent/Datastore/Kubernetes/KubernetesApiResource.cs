using Routing.Agent.Datastore.Store;

namespace Routing.Agent.Datastore.Kubernetes;

/// <summary>
/// Where the API server serves one kind: its group, version, plural and scope, from which the REST
/// paths follow (<c>/api/v1/namespaces/NS/pods/NAME</c>, <c>/apis/routing.dev/v1/bgppeers/NAME</c>).
/// </summary>
public sealed record KubernetesApiResource(string Kind, string Group, string Version, string Plural, bool Namespaced)
{
    /// <summary>The <c>apiVersion</c> of the kind's documents: <c>v1</c> for the core group, <c>GROUP/VERSION</c> otherwise.</summary>
    public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

    /// <summary>How the API server names the resource in its messages: <c>pods</c>, <c>bgppeers.routing.dev</c>.</summary>
    public string QualifiedName => Group.Length == 0 ? Plural : $"{Plural}.{Group}";

    private string Root => Group.Length == 0 ? $"/api/{Version}" : $"/apis/{Group}/{Version}";

    /// <summary>The collection in one namespace, or across all of them (and for cluster-scoped kinds) when <paramref name="ns"/> is empty.</summary>
    public string CollectionPath(string ns = "") =>
        Namespaced && ns.Length > 0 ? $"{Root}/namespaces/{Uri.EscapeDataString(ns)}/{Plural}" : $"{Root}/{Plural}";

    /// <summary>The path of one object.</summary>
    /// <exception cref="ArgumentException">The key's namespace does not fit the kind's scope.</exception>
    public string ItemPath(ResourceKey key)
    {
        CheckScope(key);
        return $"{CollectionPath(key.Namespace)}/{Uri.EscapeDataString(key.Name)}";
    }

    /// <summary>Namespaced kinds need a namespace in the key; cluster-scoped kinds must not have one.</summary>
    public void CheckScope(ResourceKey key)
    {
        ArgumentException.ThrowIfNullOrEmpty(key.Name, nameof(key));
        if (Namespaced && key.Namespace.Length == 0)
        {
            throw new ArgumentException($"{key}: {Kind} is namespaced; the key needs a namespace", nameof(key));
        }

        if (!Namespaced && key.Namespace.Length > 0)
        {
            throw new ArgumentException($"{key}: {Kind} is cluster-scoped; the key must not have a namespace", nameof(key));
        }
    }
}
