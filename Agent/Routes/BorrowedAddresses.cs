using Routing.Bgp.Wire;
using Routing.Ipam.Blocks;

namespace Routing.Agent.Routes;

/// <summary>
/// Addresses this node's workloads borrowed from blocks affine to another node (or to none), as
/// Calico does when a node's own blocks are full and strictAffinity is off: the node advertises each
/// as a host route (/32, /128), which other nodes and routers prefer to the block's owner's route.
/// </summary>
public static class BorrowedAddresses
{
    public static IReadOnlyList<Prefix> From(IEnumerable<AllocationBlock> blocks, string node)
    {
        ArgumentNullException.ThrowIfNull(blocks);
        return [.. blocks
            .Where(b => b.AffineNode != node)
            .SelectMany(b => b.EnumerateAllocations())
            .Where(a => a.Attribute.Secondary.TryGetValue(IpamAttributes.Node, out var user) && user == node)
            .Select(a => Prefix.Create(a.Address, a.Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128))
            .Order()];
    }
}
