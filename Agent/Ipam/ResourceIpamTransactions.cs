using Routing.Agent.Datastore.Store;
using Routing.Ipam.Blocks;
using Routing.Ipam.Handles;
using Routing.Ipam.Serialization;
using Routing.Ipam.Store;

namespace Routing.Agent.Ipam;

/// <summary>IPAM's block-and-handles writes as one transaction of a datastore that has them (etcd, file).</summary>
internal sealed class ResourceIpamTransactions(IResourceTransactions store, ResourceIpamCollection<AllocationBlock> blocks) : IIpamBlockTransactions
{
    public async ValueTask<Versioned<AllocationBlock>> UpdateBlockCreatingHandlesAsync(
        AllocationBlock block, string expectedRevision, IReadOnlyList<IpamHandle> handles, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(block);
        ArgumentNullException.ThrowIfNull(handles);
        var writes = new ResourceWrite[handles.Count + 1];
        for (var i = 0; i < handles.Count; i++)
        {
            writes[i] = ResourceWrite.Create(ResourceIpamCollection<IpamHandle>.Key(handles[i].Name), IpamDocuments.Serialize(handles[i]));
        }

        writes[^1] = ResourceWrite.Update(ResourceIpamCollection<AllocationBlock>.Key(block.Name), IpamDocuments.Serialize(block), expectedRevision);
        try
        {
            var revisions = await store.WriteAllAsync(writes, cancellationToken).ConfigureAwait(false);
            return blocks.Written(block, revisions[^1]!);
        }
        catch (ResourceStoreException e) when (e.Key is { } key)
        {
            throw key.Kind == IpamKinds.Handle
                ? ResourceIpamCollection<IpamHandle>.Translate(e, key.Name)
                : ResourceIpamCollection<AllocationBlock>.Translate(e, key.Name);
        }
    }
}
