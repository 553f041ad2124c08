using System.Collections.Concurrent;
using Routing.Ipam.Handles;
using Routing.Ipam.Store;

namespace Routing.Ipam.Allocation;

public sealed partial class IpamAllocator
{
    // Bounds what is remembered for handles released some other way (by address, by another process).
    private const int MaxCreatedHandles = 1 << 16;

    // Handles this allocator created in a block's write, as written: the CNI DEL that releases one
    // needs no read of it. Only a hint: the handle is deleted in the block's write if it is still at
    // this revision, otherwise it is read as usual.
    private readonly ConcurrentDictionary<string, Versioned<IpamHandle>> createdHandles = new(StringComparer.Ordinal);

    private void RememberCreated(IReadOnlyList<Versioned<IpamHandle>> handles)
    {
        foreach (var handle in handles)
        {
            if (createdHandles.Count < MaxCreatedHandles)
            {
                createdHandles[handle.Value.Name] = handle;
            }
        }
    }

    /// <summary>
    /// Releases a handle this allocator created, without reading it: its one block freed of the
    /// handle's addresses and the handle deleted in one write. Not done when the handle is not one
    /// created here, or changed since (then it was not deleted: the caller reads it and carries on).
    /// </summary>
    private async Task<(IReadOnlyList<Blocks.BlockAllocation> Freed, bool Done)> ReleaseCreatedHandleAsync(string handleId, CancellationToken cancellationToken)
    {
        if (transactions is null || !createdHandles.TryRemove(handleId, out var handle) || handle.Value.Blocks.Count != 1
            || !Addresses.BlockCidr.TryParse(handle.Value.Blocks.Keys.First(), out var cidr))
        {
            return ([], false);
        }

        var work = new BlockReleaseWork(block => block.ReleaseByHandle(handleId), handle);
        var freed = await SubmitAsync(cidr, work).WaitAsync(cancellationToken).ConfigureAwait(false);
        return (freed, work.HandleDeleted);
    }
}
