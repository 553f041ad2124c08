namespace Routing.Agent.Tests.Datastore.Kubernetes.Fake;

/// <summary>
/// A resource the fake API server serves. Written out here rather than taken from the client's
/// table, so that a wrong path in the client shows as a 404 instead of agreeing with itself.
/// </summary>
public sealed record FakeResourceType(string Group, string Version, string Plural, string Kind, bool Namespaced, bool BuiltIn)
{
    public static IReadOnlyList<FakeResourceType> BuiltIns { get; } =
    [
        new("", "v1", "nodes", "Node", Namespaced: false, BuiltIn: true),
        new("", "v1", "namespaces", "Namespace", Namespaced: false, BuiltIn: true),
        new("", "v1", "pods", "Pod", Namespaced: true, BuiltIn: true),
        new("", "v1", "services", "Service", Namespaced: true, BuiltIn: true),
        new("discovery.k8s.io", "v1", "endpointslices", "EndpointSlice", Namespaced: true, BuiltIn: true),
        new("networking.k8s.io", "v1", "networkpolicies", "NetworkPolicy", Namespaced: true, BuiltIn: true),
    ];

    public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

    /// <summary>How the API server names the resource in messages: <c>pods</c>, <c>bgppeers.routing.dev</c>.</summary>
    public string QualifiedName => Group.Length == 0 ? Plural : $"{Plural}.{Group}";
}
