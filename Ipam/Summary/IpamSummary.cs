using Routing.Ipam.Addresses;
using Routing.Ipam.Allocation;
using Routing.Ipam.Blocks;
using Routing.Ipam.Store;

namespace Routing.Ipam.Summary;

/// <summary>What <c>routing ipam show</c> prints: pools, blocks, affinities, and use per pool and node.</summary>
public sealed record IpamSummary(
    IReadOnlyList<PoolUsage> Pools,
    IReadOnlyList<BlockUsage> Blocks,
    IReadOnlyList<AffinityUsage> Affinities,
    IReadOnlyList<NodeUsage> Nodes)
{
    public static async Task<IpamSummary> BuildAsync(IIpamStore store, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        var pools = PoolLayout.FromValid((await store.Pools.ListAsync(cancellationToken).ConfigureAwait(false)).Select(p => p.Value))
            .OrderBy(p => p.Pool.Name, StringComparer.Ordinal)
            .ToList();
        var blocks = (await store.Blocks.ListAsync(cancellationToken).ConfigureAwait(false))
            .Select(b => b.Value)
            .OrderBy(b => b.Cidr.BaseAddress.AddressFamily)
            .ThenBy(b => BlockCidr.ToNumber(b.Cidr.BaseAddress))
            .ToList();
        var affinities = (await store.Affinities.ListAsync(cancellationToken).ConfigureAwait(false))
            .Select(a => a.Value)
            .OrderBy(a => a.Node, StringComparer.Ordinal)
            .ThenBy(a => BlockCidr.ToNumber(a.Cidr.BaseAddress))
            .Select(a => new AffinityUsage(a.Node, a.Cidr.ToString(), a.State.ToString()))
            .ToList();

        string? PoolOf(AllocationBlock block) => pools.FirstOrDefault(p => p.Holds(block.Cidr)).Pool?.Name;

        var blockUsage = blocks
            .Select(b => new BlockUsage(b.Cidr.ToString(), PoolOf(b), b.AffineNode, b.Size, b.AllocatedCount, b.FreeCount))
            .ToList();
        var poolUsage = pools.Select(p =>
        {
            var inPool = blockUsage.Where(b => b.Pool == p.Pool.Name).ToList();
            return new PoolUsage(
                p.Pool.Name,
                p.Pool.Cidr,
                p.BlockSize,
                p.Pool.Disabled,
                Capacity(p),
                inPool.Count,
                inPool.Sum(b => (long)b.Allocated),
                inPool.Sum(b => (long)b.Free));
        }).ToList();

        var nodes = new Dictionary<(string Node, string Pool), (int Blocks, long Allocated, long Free, long InUse)>();
        foreach (var (block, usage) in blocks.Zip(blockUsage))
        {
            if (usage.Pool is not { } pool)
            {
                continue;
            }

            if (usage.Node is { } node)
            {
                var entry = nodes.GetValueOrDefault((node, pool));
                nodes[(node, pool)] = (entry.Blocks + 1, entry.Allocated + usage.Allocated, entry.Free + usage.Free, entry.InUse);
            }

            foreach (var allocation in block.EnumerateAllocations())
            {
                if (allocation.Attribute.Secondary.TryGetValue(IpamAttributes.Node, out var user))
                {
                    var entry = nodes.GetValueOrDefault((user, pool));
                    nodes[(user, pool)] = entry with { InUse = entry.InUse + 1 };
                }
            }
        }

        var nodeUsage = nodes
            .OrderBy(n => n.Key.Node, StringComparer.Ordinal)
            .ThenBy(n => n.Key.Pool, StringComparer.Ordinal)
            .Select(n => new NodeUsage(n.Key.Node, n.Key.Pool, n.Value.Blocks, n.Value.Allocated, n.Value.Free, n.Value.InUse))
            .ToList();
        return new IpamSummary(poolUsage, blockUsage, affinities, nodeUsage);
    }

    private static UInt128 Capacity(PoolLayout pool)
    {
        var hostBits = BlockCidr.AddressBits(pool.Network.BaseAddress.AddressFamily) - pool.Network.PrefixLength;
        return hostBits >= 128 ? UInt128.MaxValue : UInt128.One << hostBits;
    }
}
