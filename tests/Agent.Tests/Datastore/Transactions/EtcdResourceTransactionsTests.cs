using Routing.Agent.Datastore;
using Routing.Agent.Datastore.Etcd;
using Routing.Agent.Tests.Datastore.Etcd;

namespace Routing.Agent.Tests.Datastore.Transactions;

/// <summary>Transactions against a real etcd: one Txn each.</summary>
public sealed class EtcdResourceTransactionsTests(EtcdFixture etcd)
    : ResourceTransactionsConformance(() => EtcdResourceStore.Open(DatastoreUri.Parse($"etcd:{etcd.Endpoint}"))), IClassFixture<EtcdFixture>
{
}
