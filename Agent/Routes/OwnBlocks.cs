using Routing.Bgp.Wire;
using Routing.Ipam.Blocks;
using Routing.Ipam.Store;

namespace Routing.Agent.Routes;

/// <summary>This node's address blocks: the IPAM affinities it holds, confirmed (a pending claim is not yet the node's).</summary>
public static class OwnBlocks
{
    public static async Task<IReadOnlyList<Prefix>> ListAsync(IIpamStore store, string node, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        var affinities = await store.Affinities.ListAsync(cancellationToken).ConfigureAwait(false);
        return affinities
            .Select(a => a.Value)
            .Where(a => a.Node == node && a.State == AffinityState.Confirmed)
            .Select(a => Prefix.Create(a.Cidr.BaseAddress, a.Cidr.PrefixLength))
            .Order()
            .ToArray();
    }
}
