namespace Routing.Agent.Datastore.Store;

/// <summary>
/// A resource as a datastore holds it: the whole document as JSON (apiVersion, kind, metadata,
/// spec, as Kubernetes writes it), and the revision it was last written at. The revision is opaque
/// (Kubernetes' resourceVersion, etcd's mod_revision as decimal): it is only handed back for
/// compare-and-swap and compared for equality.
/// </summary>
public sealed record StoredResource(ResourceKey Key, string Json, string Revision);
