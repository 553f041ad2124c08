using Routing.Agent.Datastore.Store;
using Routing.Ipam.Blocks;
using Routing.Ipam.Handles;
using Routing.Ipam.Pools;
using Routing.Ipam.Reservations;
using Routing.Ipam.Store;

namespace Routing.Agent.Ipam;

/// <summary>
/// IPAM's store for a long-lived allocator (the agent): like <see cref="ResourceIpamStore"/>, but the
/// kinds an allocation lists and that rarely change (pools, reservations, affinities) are listed from
/// memory, kept fresh by the datastore's watch (<see cref="WatchedIpamCollection{T}"/>). Blocks and
/// handles, written by every allocation, are always read from the store.
/// </summary>
public sealed class WatchedIpamStore : IIpamStore, IAsyncDisposable
{
    private readonly WatchedIpamCollection<IPPool> pools;
    private readonly WatchedIpamCollection<BlockAffinity> affinities;
    private readonly WatchedIpamCollection<IPReservation> reservations;

    public WatchedIpamStore(IResourceStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        pools = new WatchedIpamCollection<IPPool>(store);
        affinities = new WatchedIpamCollection<BlockAffinity>(store);
        reservations = new WatchedIpamCollection<IPReservation>(store);
        var blocks = new ResourceIpamCollection<AllocationBlock>(store, static block => block.Clone());
        Blocks = blocks;
        Handles = new ResourceIpamCollection<IpamHandle>(store);
        Transactions = store is IResourceTransactions transactions ? new ResourceIpamTransactions(transactions, blocks, affinities.Remember) : null;
    }

    public IIpamCollection<IPPool> Pools => pools;

    public IIpamCollection<AllocationBlock> Blocks { get; }

    public IIpamCollection<BlockAffinity> Affinities => affinities;

    public IIpamCollection<IpamHandle> Handles { get; }

    public IIpamCollection<IPReservation> Reservations => reservations;

    public IIpamBlockTransactions? Transactions { get; }

    /// <summary>How many changes the watches have applied, all kinds together; for tests that wait for one.</summary>
    internal long Generation => pools.Generation + affinities.Generation + reservations.Generation;

    /// <summary>True once every watched kind has been listed; for tests.</summary>
    internal bool InSync => pools.InSync && affinities.InSync && reservations.InSync;

    public async ValueTask DisposeAsync()
    {
        await pools.DisposeAsync().ConfigureAwait(false);
        await affinities.DisposeAsync().ConfigureAwait(false);
        await reservations.DisposeAsync().ConfigureAwait(false);
    }
}
