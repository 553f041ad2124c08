using Routing.Agent.Datastore.FileStore;
using Routing.Agent.Datastore.Store;

namespace Routing.Agent.Datastore;

/// <summary>Opens the <see cref="IResourceStore"/> a <c>--datastore</c> value names.</summary>
public static class ResourceStores
{
    public static IResourceStore Open(DatastoreUri uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        return uri.Kind switch
        {
            DatastoreKind.File => new FileResourceStore(uri.Path!),
            DatastoreKind.Etcd => Etcd.EtcdResourceStore.Open(uri),
            DatastoreKind.Kubernetes => Kubernetes.KubernetesResourceStore.Open(uri),
            _ => throw new NotSupportedException($"the {uri.Kind} datastore cannot be opened by this build"),
        };
    }
}
