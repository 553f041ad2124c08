using Routing.Agent.Datastore.Store;
using Routing.Ipam.Blocks;
using Routing.Ipam.Handles;
using Routing.Ipam.Pools;
using Routing.Ipam.Reservations;
using Routing.Ipam.Store;

namespace Routing.Agent.Ipam;

/// <summary>IPAM's store on the agent's datastore (file, etcd or Kubernetes): each record one document.</summary>
public sealed class ResourceIpamStore(IResourceStore store) : IIpamStore
{
    private readonly ResourceIpamCollection<AllocationBlock> blocks = new(store, static block => block.Clone());

    public IIpamCollection<IPPool> Pools { get; } = new ResourceIpamCollection<IPPool>(store);

    public IIpamCollection<AllocationBlock> Blocks => blocks;

    public IIpamCollection<BlockAffinity> Affinities { get; } = new ResourceIpamCollection<BlockAffinity>(store);

    public IIpamCollection<IpamHandle> Handles { get; } = new ResourceIpamCollection<IpamHandle>(store);

    public IIpamCollection<IPReservation> Reservations { get; } = new ResourceIpamCollection<IPReservation>(store);

    public IIpamBlockTransactions? Transactions => store is IResourceTransactions transactions ? new ResourceIpamTransactions(transactions, blocks) : null;
}
