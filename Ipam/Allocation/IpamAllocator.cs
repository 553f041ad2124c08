using System.Net;
using System.Net.Sockets;
using Routing.Ipam.Blocks;
using Routing.Ipam.Pools;
using Routing.Ipam.Reservations;
using Routing.Ipam.Store;

namespace Routing.Ipam.Allocation;

/// <summary>
/// Hands out and takes back pod addresses, Calico's way: each node claims blocks of a pool and
/// allocates from its own blocks first, claims another when they are full, and borrows from other
/// nodes' blocks when the pool has no free block left (unless strict affinity forbids it). Every
/// change is a compare-and-swap on the store, retried with jitter, so allocators on many nodes can
/// share one store without a lock. Multi-step changes (claiming, releasing a block) record their
/// progress in the affinity's state, so one that crashed half-way is finished by the next.
/// </summary>
public sealed partial class IpamAllocator
{
    private readonly IIpamStore store;
    private readonly IpamOptions options;
    private readonly INodeSelectorEvaluator selectors;
    private readonly ConflictBackoff backoff;
    private readonly IIpamBlockTransactions? transactions;
    private readonly KeyedLock claimLocks = new();

    // Per node, how many blocks this allocator has claimed: a request that waited for a claim sees it.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> claimGenerations = new(StringComparer.Ordinal);

    public IpamAllocator(
        IIpamStore store,
        IpamOptions? options = null,
        INodeSelectorEvaluator? selectors = null,
        TimeProvider? time = null,
        Random? random = null)
    {
        this.store = store ?? throw new ArgumentNullException(nameof(store));
        transactions = store.Transactions;
        this.options = options ?? new IpamOptions();
        this.selectors = selectors ?? AllNodesOnlyEvaluator.Instance;
        backoff = new ConflictBackoff(this.options.Retry, time ?? TimeProvider.System, random ?? Random.Shared);
    }

    public IpamOptions Options => options;

    /// <summary>The addresses <paramref name="handleId"/> holds, read from its blocks.</summary>
    public async Task<IReadOnlyList<BlockAllocation>> GetByHandleAsync(string handleId, CancellationToken cancellationToken = default)
    {
        var handle = await store.Handles.GetAsync(handleId, cancellationToken).ConfigureAwait(false);
        if (handle is null)
        {
            return [];
        }

        var found = new List<BlockAllocation>();
        foreach (var cidr in handle.Value.Blocks.Keys)
        {
            var block = await store.Blocks.GetAsync(NameOfBlock(cidr), cancellationToken).ConfigureAwait(false);
            if (block is not null)
            {
                found.AddRange(block.Value.EnumerateAllocations().Where(a => a.HandleId == handleId));
            }
        }

        return found;
    }

    private static string NameOfBlock(string cidr) =>
        Addresses.BlockCidr.TryParse(cidr, out var network) ? Addresses.BlockCidr.NameOf(network) : cidr;

    private static string FamilyName(AddressFamily family) => family == AddressFamily.InterNetwork ? "IPv4" : "IPv6";

    private static AllocationAttribute AttributeFor(string handleId, string node, IReadOnlyDictionary<string, string>? attributes)
    {
        var secondary = attributes?.ToDictionary(StringComparer.Ordinal) ?? new Dictionary<string, string>(StringComparer.Ordinal);
        secondary.TryAdd(IpamAttributes.Node, node);
        return new AllocationAttribute(handleId, secondary);
    }

    private static bool IsRetryable(IpamStoreException e) => e.Error is IpamStoreError.Conflict or IpamStoreError.NotFound;

    private async ValueTask<IReadOnlyList<PoolLayout>> ValidPoolsAsync(CancellationToken cancellationToken)
    {
        var pools = await store.Pools.ListAsync(cancellationToken).ConfigureAwait(false);
        return PoolLayout.FromValid(pools.Select(p => p.Value));
    }

    /// <summary>The pools of <paramref name="family"/> a request may allocate from; throws when none.</summary>
    private async ValueTask<IReadOnlyList<PoolLayout>> EligiblePoolsAsync(
        AddressFamily family, string node, IReadOnlyList<string>? requested, CancellationToken cancellationToken)
    {
        var pools = (await ValidPoolsAsync(cancellationToken).ConfigureAwait(false))
            .Where(p => p.Network.BaseAddress.AddressFamily == family)
            .ToList();
        if (requested is { Count: > 0 })
        {
            var chosen = new List<PoolLayout>();
            foreach (var name in requested)
            {
                var pool = pools.FirstOrDefault(p => p.Pool.Name == name || p.Pool.Cidr == name);
                if (pool.Pool is null)
                {
                    continue;   // a pool of the other family, or none: checked below
                }

                if (pool.Pool.Disabled)
                {
                    throw new IpamException(IpamErrorKind.NoPool, $"IPPool {pool.Pool.Name} ({pool.Pool.Cidr}) is disabled; enable it or request another pool.");
                }

                if (!Selects(pool.Pool, node))
                {
                    throw new IpamException(IpamErrorKind.NoPool, $"IPPool {pool.Pool.Name} ({pool.Pool.Cidr}) does not select node {node} (nodeSelector {pool.Pool.NodeSelector}).");
                }

                chosen.Add(pool);
            }

            return chosen.Count > 0
                ? chosen
                : throw new IpamException(IpamErrorKind.NoPool, $"none of the requested pools ({string.Join(", ", requested)}) is a valid {FamilyName(family)} IPPool.");
        }

        var eligible = pools.Where(p => !p.Pool.Disabled && Selects(p.Pool, node)).ToList();
        return eligible.Count > 0
            ? eligible
            : throw new IpamException(IpamErrorKind.NoPool, $"no enabled {FamilyName(family)} IPPool selects node {node}.");
    }

    private bool Selects(IPPool pool, string node) => pool.SelectsAllNodes || selectors.Selects(pool.NodeSelector, node);

    private async ValueTask<Func<IPAddress, bool>> ReservedAsync(CancellationToken cancellationToken)
    {
        var reservations = (await store.Reservations.ListAsync(cancellationToken).ConfigureAwait(false))
            .Select(r => r.Value)
            .Where(r => r.ReservedCidrs.Length > 0)
            .ToArray();
        return reservations.Length == 0 ? static _ => false : address => Array.Exists(reservations, r => r.Contains(address));
    }

    private async ValueTask<IPReservation?> ReservationOfAsync(IPAddress address, CancellationToken cancellationToken)
    {
        var reservations = await store.Reservations.ListAsync(cancellationToken).ConfigureAwait(false);
        return reservations.Select(r => r.Value).FirstOrDefault(r => r.Contains(address));
    }

    private static void Validate(string handleId, string node)
    {
        if (string.IsNullOrWhiteSpace(handleId))
        {
            throw new IpamException(IpamErrorKind.InvalidRequest, "an IPAM request needs a handle ID (the container ID and interface the addresses are for).");
        }

        if (string.IsNullOrWhiteSpace(node))
        {
            throw new IpamException(IpamErrorKind.InvalidRequest, "an IPAM request needs the node name (--node, or the CNI config's nodename).");
        }
    }
}
