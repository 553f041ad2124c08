using Routing.Agent.Datastore.Etcd.Rpc;
using Routing.Agent.Datastore.Store;

namespace Routing.Agent.Datastore.Etcd;

public sealed partial class EtcdResourceStore : IResourceTransactions
{
    /// <summary>
    /// One Txn: a compare per write (create_revision 0 for a create, the mod_revision for an update or
    /// delete), the puts and deletes on success; on failure it reads every key's revisions, in the
    /// same revision, to name the write that failed.
    /// </summary>
    public async Task<IReadOnlyList<string?>> WriteAllAsync(IReadOnlyList<ResourceWrite> writes, CancellationToken cancellationToken = default)
    {
        ResourceWrite.Validate(writes);
        var txn = new TxnRequest();
        foreach (var write in writes)
        {
            var etcdKey = EtcdKeys.For(write.Key);
            txn.Compare.Add(write.IsCreate
                ? new Compare { Key = etcdKey, Target = Compare.Types.CompareTarget.Create, CreateRevision = 0 }
                : new Compare { Key = etcdKey, Target = Compare.Types.CompareTarget.Mod, ModRevision = ParseRevision(write.ExpectedRevision!, nameof(writes)) });
            txn.Success.Add(write.Json is null
                ? new RequestOp { RequestDeleteRange = new DeleteRangeRequest { Key = etcdKey } }
                : Put(etcdKey, write.Json));
            txn.Failure.Add(new RequestOp { RequestRange = new RangeRequest { Key = etcdKey, KeysOnly = true } });
        }

        var response = await client.TxnAsync(txn, cancellationToken).ConfigureAwait(false);
        if (response.Succeeded)
        {
            var revision = Format(response.Header.Revision);
            return [.. writes.Select(w => w.Json is null ? null : revision)];
        }

        for (var i = 0; i < writes.Count; i++)
        {
            var write = writes[i];
            var found = response.Responses[i].ResponseRange.Kvs;
            if (write.IsCreate && found.Count > 0)
            {
                throw new ResourceStoreException(ResourceStoreError.AlreadyExists, write.Key, $"{write.Key} already exists");
            }

            if (!write.IsCreate && found.Count == 0)
            {
                throw new ResourceStoreException(ResourceStoreError.NotFound, write.Key, $"{write.Key} does not exist");
            }

            if (!write.IsCreate && Format(found[0].ModRevision) != write.ExpectedRevision)
            {
                throw new ResourceStoreException(ResourceStoreError.Conflict, write.Key, $"{write.Key} changed since revision {write.ExpectedRevision}; read it again");
            }
        }

        // Every compare held when read back: something changed and changed back in between (or a
        // key was compacted); the caller reads again as after any conflict.
        throw new ResourceStoreException(ResourceStoreError.Conflict, writes[0].Key, $"{writes[0].Key}: the transaction's comparison failed; read it again");
    }
}
