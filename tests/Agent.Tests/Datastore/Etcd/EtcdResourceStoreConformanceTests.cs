using Routing.Agent.Datastore;
using Routing.Agent.Datastore.Etcd;

namespace Routing.Agent.Tests.Datastore.Etcd;

/// <summary>The conformance cases against a real etcd.</summary>
public sealed class EtcdResourceStoreConformanceTests(EtcdFixture etcd)
    : ResourceStoreConformance(() => EtcdResourceStore.Open(DatastoreUri.Parse($"etcd:{etcd.Endpoint}"))), IClassFixture<EtcdFixture>
{
    protected override async Task<bool> ForgetHistoryAsync(string revision)
    {
        (await etcd.Etcd.EtcdctlAsync("compact", revision)).EnsureSuccess();
        return true;
    }
}
