using Routing.Agent.Datastore.Store;
using Routing.Ipam.Blocks;
using Routing.Ipam.Handles;
using Routing.Ipam.Serialization;
using Routing.Ipam.Store;

namespace Routing.Agent.Ipam;

/// <summary>IPAM's block-and-handles writes as one transaction of a datastore that has them (etcd, file).</summary>
internal sealed class ResourceIpamTransactions(
    IResourceTransactions store,
    ResourceIpamCollection<AllocationBlock> blocks,
    Action<Versioned<BlockAffinity>>? affinityWritten = null) : IIpamBlockTransactions
{
    public async ValueTask<WrittenBlock> WriteBlockWithHandlesAsync(
        AllocationBlock block,
        string expectedRevision,
        IReadOnlyList<IpamHandle> created,
        IReadOnlyList<Versioned<IpamHandle>> deleted,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(block);
        ArgumentNullException.ThrowIfNull(created);
        ArgumentNullException.ThrowIfNull(deleted);
        var writes = new List<ResourceWrite>(created.Count + deleted.Count + 1);
        writes.AddRange(created.Select(h => ResourceWrite.Create(ResourceIpamCollection<IpamHandle>.Key(h.Name), IpamDocuments.Serialize(h))));
        writes.AddRange(deleted.Select(h => ResourceWrite.Delete(ResourceIpamCollection<IpamHandle>.Key(h.Value.Name), h.Revision)));
        writes.Add(ResourceWrite.Update(ResourceIpamCollection<AllocationBlock>.Key(block.Name), IpamDocuments.Serialize(block), expectedRevision));
        try
        {
            var revisions = await store.WriteAllAsync(writes, cancellationToken).ConfigureAwait(false);
            return new WrittenBlock(blocks.Written(block, revisions[^1]!), [.. created.Select((h, i) => new Versioned<IpamHandle>(h, revisions[i]!))]);
        }
        catch (ResourceStoreException e) when (e.Key is { } key)
        {
            throw key.Kind == IpamKinds.Handle
                ? ResourceIpamCollection<IpamHandle>.Translate(e, key.Name)
                : ResourceIpamCollection<AllocationBlock>.Translate(e, key.Name);
        }
    }

    public async ValueTask<ClaimedBlock> CreateBlockWithAffinityAsync(AllocationBlock block, BlockAffinity affinity, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(block);
        ArgumentNullException.ThrowIfNull(affinity);
        ResourceWrite[] writes =
        [
            ResourceWrite.Create(ResourceIpamCollection<BlockAffinity>.Key(affinity.Name), IpamDocuments.Serialize(affinity)),
            ResourceWrite.Create(ResourceIpamCollection<AllocationBlock>.Key(block.Name), IpamDocuments.Serialize(block)),
        ];
        try
        {
            var revisions = await store.WriteAllAsync(writes, cancellationToken).ConfigureAwait(false);
            var claimed = new Versioned<BlockAffinity>(affinity, revisions[0]!);
            affinityWritten?.Invoke(claimed);
            return new ClaimedBlock(blocks.Written(block, revisions[1]!), claimed);
        }
        catch (ResourceStoreException e) when (e.Key is { } key)
        {
            throw key.Kind == IpamKinds.BlockAffinity
                ? ResourceIpamCollection<BlockAffinity>.Translate(e, key.Name)
                : ResourceIpamCollection<AllocationBlock>.Translate(e, key.Name);
        }
    }
}
