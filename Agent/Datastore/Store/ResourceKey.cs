namespace Routing.Agent.Datastore.Store;

/// <summary>
/// Where a resource lives in a datastore: its kind, its namespace (empty for cluster-scoped kinds,
/// which all of Routing's own are) and its name. etcd keys it as
/// <c>/routing/v1/&lt;kind&gt;/&lt;name&gt;</c>, or <c>/routing/v1/&lt;kind&gt;/&lt;namespace&gt;/&lt;name&gt;</c>
/// when namespaced, the kind in lower case (like the API server's own keys; see <c>Etcd.EtcdKeys</c>).
/// None of the three may hold a '/'.
/// </summary>
public readonly record struct ResourceKey(string Kind, string Namespace, string Name)
{
    public static ResourceKey ClusterScoped(string kind, string name) => new(kind, "", name);

    public override string ToString() => Namespace.Length == 0 ? $"{Kind}/{Name}" : $"{Kind}/{Namespace}/{Name}";
}
