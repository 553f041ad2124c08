using Routing.Ipam.Blocks;
using Routing.Ipam.Handles;
using Routing.Ipam.Pools;
using Routing.Ipam.Reservations;

namespace Routing.Ipam.Store;

/// <summary>
/// Where IPAM keeps its state: the file, etcd and Kubernetes datastores of the agent, or
/// <see cref="InMemoryIpamStore"/>. Implementations are safe to call concurrently.
/// </summary>
public interface IIpamStore
{
    IIpamCollection<IPPool> Pools { get; }

    IIpamCollection<AllocationBlock> Blocks { get; }

    IIpamCollection<BlockAffinity> Affinities { get; }

    IIpamCollection<IpamHandle> Handles { get; }

    IIpamCollection<IPReservation> Reservations { get; }

    /// <summary>Block and handle writes in one transaction, when the datastore has them; null when not.</summary>
    IIpamBlockTransactions? Transactions => null;
}
