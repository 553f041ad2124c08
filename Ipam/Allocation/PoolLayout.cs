using System.Net;
using Routing.Ipam.Pools;

namespace Routing.Ipam.Allocation;

/// <summary>A valid pool with its CIDR parsed and block size resolved once.</summary>
internal readonly record struct PoolLayout(IPPool Pool, IPNetwork Network, int BlockSize)
{
    public static IReadOnlyList<PoolLayout> FromValid(IEnumerable<IPPool> pools) =>
        [.. pools.Where(pool => IPPoolValidator.Validate(pool).Count == 0)
            .Select(pool => new PoolLayout(pool, pool.ParseCidr(), pool.ResolveBlockSize()))];

    public bool Holds(IPNetwork block) => Network.Contains(block.BaseAddress) && block.PrefixLength >= Network.PrefixLength;
}
