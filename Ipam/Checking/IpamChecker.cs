using System.Net;
using Routing.Ipam.Allocation;
using Routing.Ipam.Blocks;
using Routing.Ipam.Store;

namespace Routing.Ipam.Checking;

/// <summary>
/// Reads the whole IPAM state and reports what does not add up. It changes nothing. Run it on a
/// quiet store: an allocation in flight shows as a passing handle count mismatch.
/// </summary>
public sealed class IpamChecker(IIpamStore store)
{
    /// <summary>Checks the store; with <paramref name="liveHandles"/>, also reports allocations whose owner is gone.</summary>
    public async Task<IpamCheckReport> CheckAsync(IReadOnlySet<string>? liveHandles = null, CancellationToken cancellationToken = default)
    {
        var pools = PoolLayout.FromValid((await store.Pools.ListAsync(cancellationToken).ConfigureAwait(false)).Select(p => p.Value));
        var blocks = (await store.Blocks.ListAsync(cancellationToken).ConfigureAwait(false)).Select(b => b.Value).OrderBy(b => b.Cidr.ToString(), StringComparer.Ordinal).ToList();
        var affinities = (await store.Affinities.ListAsync(cancellationToken).ConfigureAwait(false)).Select(a => a.Value).ToList();
        var handles = (await store.Handles.ListAsync(cancellationToken).ConfigureAwait(false)).ToDictionary(h => h.Value.HandleId, h => h.Value, StringComparer.Ordinal);
        var problems = new List<IpamProblem>();
        var blockCidrs = blocks.Select(b => b.Cidr).ToHashSet();
        var claims = affinities.Select(a => (a.Node, a.Cidr)).ToHashSet();

        var owners = new Dictionary<IPAddress, AllocationBlock>();
        var held = new Dictionary<(string Handle, string Block), int>();
        foreach (var block in blocks)
        {
            var cidr = block.Cidr.ToString();
            if (!pools.Any(p => p.Holds(block.Cidr)))
            {
                problems.Add(new(IpamProblemKind.BlockOutsidePools, $"block {cidr} is in no IPPool (was its pool deleted?).", cidr));
            }

            if (block.AffineNode is not { } node)
            {
                problems.Add(new(IpamProblemKind.BlockWithoutAffinity, $"block {cidr} has no node affinity.", cidr));
            }
            else if (!claims.Contains((node, block.Cidr)))
            {
                problems.Add(new(IpamProblemKind.BlockWithoutAffinity, $"block {cidr} is affine to node {node}, which has no BlockAffinity for it.", cidr));
            }

            foreach (var allocation in block.EnumerateAllocations())
            {
                var address = allocation.Address.ToString();
                if (!owners.TryAdd(allocation.Address, block))
                {
                    problems.Add(new(IpamProblemKind.DuplicateAddress, $"{address} is allocated in block {owners[allocation.Address].Cidr} and in block {cidr}.", cidr, address, allocation.HandleId));
                }

                if (allocation.HandleId is not { } handle)
                {
                    problems.Add(new(IpamProblemKind.AllocationWithoutHandle, $"{address} in block {cidr} has no handle.", cidr, address));
                    continue;
                }

                held[(handle, cidr)] = held.GetValueOrDefault((handle, cidr)) + 1;
                if (!handles.ContainsKey(handle))
                {
                    problems.Add(new(IpamProblemKind.AllocationWithoutHandle, $"{address} in block {cidr} is allocated to handle {handle}, which has no IPAMHandle record.", cidr, address, handle));
                }

                if (liveHandles is not null && !liveHandles.Contains(handle))
                {
                    problems.Add(new(IpamProblemKind.Leak, $"{address} in block {cidr} is allocated to handle {handle}, whose owner is gone.", cidr, address, handle));
                }
            }
        }

        foreach (var handle in handles.Values.OrderBy(h => h.HandleId, StringComparer.Ordinal))
        {
            var actual = held.Where(h => h.Key.Handle == handle.HandleId).ToDictionary(h => h.Key.Block, h => h.Value, StringComparer.Ordinal);
            if (actual.Count == 0)
            {
                problems.Add(new(IpamProblemKind.HandleWithoutAllocations, $"handle {handle.HandleId} counts {handle.Total} addresses, but no block holds any for it.", HandleId: handle.HandleId));
                continue;
            }

            foreach (var block in handle.Blocks.Keys.Union(actual.Keys).Order(StringComparer.Ordinal))
            {
                var counted = handle.Blocks.GetValueOrDefault(block);
                var found = actual.GetValueOrDefault(block);
                if (counted != found)
                {
                    problems.Add(new(IpamProblemKind.HandleCountMismatch, $"handle {handle.HandleId} counts {counted} addresses in block {block}; the block holds {found}.", block, HandleId: handle.HandleId));
                }
            }
        }

        foreach (var affinity in affinities.OrderBy(a => a.Name, StringComparer.Ordinal))
        {
            if (!blockCidrs.Contains(affinity.Cidr))
            {
                problems.Add(new(IpamProblemKind.AffinityWithoutBlock, $"node {affinity.Node} has a {affinity.State} affinity for block {affinity.Cidr}, which does not exist.", affinity.Cidr.ToString()));
            }
        }

        return new IpamCheckReport(problems);
    }
}
