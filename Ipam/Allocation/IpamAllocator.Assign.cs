using Routing.Ipam.Addresses;
using Routing.Ipam.Blocks;
using Routing.Ipam.Store;

namespace Routing.Ipam.Allocation;

public sealed partial class IpamAllocator
{
    /// <summary>
    /// Allocates exactly <see cref="AssignIPRequest.Address"/> to the request's handle, whoever's block
    /// it is in (a block no one holds yet is claimed for the node). Asking again for an address the
    /// handle already holds returns that allocation; an address held by another handle, reserved, or
    /// in no pool is an <see cref="IpamException"/>.
    /// </summary>
    public async Task<IpamAllocation> AssignAsync(AssignIPRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        Validate(request.HandleId, request.Node);
        var address = request.Address;
        var pools = await ValidPoolsAsync(cancellationToken).ConfigureAwait(false);
        var pool = pools.FirstOrDefault(p => p.Network.Contains(address));
        if (pool.Pool is null)
        {
            throw new IpamException(IpamErrorKind.AddressNotInPool, $"{address} is in no IPPool; create a pool that holds it or ask for another address.");
        }

        if (await ReservationOfAsync(address, cancellationToken).ConfigureAwait(false) is { } reservation)
        {
            throw new IpamException(IpamErrorKind.AddressReserved, $"{address} is reserved by IPReservation {reservation.Name}.");
        }

        var cidr = BlockCidr.BlockOf(address, pool.BlockSize);
        var name = BlockCidr.NameOf(cidr);
        var blockKey = cidr.ToString();
        var attribute = AttributeFor(request.HandleId, request.Node, request.Attributes);
        var counted = false;
        var done = false;
        try
        {
            for (var attempt = 1; ; attempt++)
            {
                var read = await store.Blocks.GetAsync(name, cancellationToken).ConfigureAwait(false);
                if (read is null || read.Value.Deleted)
                {
                    // No block yet: claim it for the node. If another node wins, the next read finds its block.
                    if (read is null)
                    {
                        await ClaimBlockAsync(cidr, request.Node, cancellationToken).ConfigureAwait(false);
                    }

                    await backoff.WaitAsync(attempt, $"creating block {cidr} for {address}", cancellationToken).ConfigureAwait(false);
                    continue;
                }

                var block = read.Value;
                if (block.AllocationOf(address) is { } existing)
                {
                    if (existing.HandleId == request.HandleId)
                    {
                        return new IpamAllocation(address, cidr, pool.Pool.Name, request.HandleId, existing.SequenceNumber);
                    }

                    throw new IpamException(IpamErrorKind.AddressInUse, $"{address} is already allocated (handle {existing.HandleId}); release it first or ask for another address.");
                }

                if (!counted)
                {
                    await ChangeHandleAsync(request.HandleId, blockKey, 1, cancellationToken).ConfigureAwait(false);
                    counted = true;
                }

                var allocation = block.Assign(address, attribute)!.Value;
                try
                {
                    await store.Blocks.UpdateAsync(block, read.Revision, cancellationToken).ConfigureAwait(false);
                    done = true;
                    return new IpamAllocation(address, cidr, pool.Pool.Name, request.HandleId, allocation.SequenceNumber);
                }
                catch (IpamStoreException e) when (IsRetryable(e))
                {
                    await backoff.WaitAsync(attempt, $"allocating {address} in block {cidr}", cancellationToken).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            if (counted && !done)
            {
                await ChangeHandleAsync(request.HandleId, blockKey, -1, CancellationToken.None).ConfigureAwait(false);
            }
        }
    }
}
