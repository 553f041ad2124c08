using System.Net;
using Routing.Ipam.Allocation;
using Routing.Ipam.Checking;
using Routing.Ipam.Pools;
using Routing.Ipam.Store;

namespace Routing.Agent.Tests.Ipam;

/// <summary>
/// Nodes allocating at once through stores of their own (independent datastore clients), and what
/// must hold afterwards whatever the datastore: no address twice, each recorded against its handle,
/// the checker clean; and, released again, an empty pool.
/// </summary>
internal sealed class IpamRun(IIpamStore observer, IReadOnlyList<(string Node, IpamAllocator Allocator)> nodes)
{
    /// <summary>Retries quick enough for a test, patient enough for 500 writers on one block.</summary>
    public static readonly IpamRetryPolicy Retries = new(200, TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(50));

    public IReadOnlyList<IpamAllocator> Allocators => [.. nodes.Select(n => n.Allocator)];

    public static IpamAllocator Allocator(IIpamStore store, int seed, bool strictAffinity = false) =>
        new(store, new IpamOptions { Retry = Retries, StrictAffinity = strictAffinity }, random: new Random(seed));

    public static AssignRequest Request(string handle, string node, int ipv4 = 1, int ipv6 = 0) => new()
    {
        HandleId = handle,
        Node = node,
        IPv4Count = ipv4,
        IPv6Count = ipv6,
        Attributes = new Dictionary<string, string> { ["namespace"] = "default", ["pod"] = handle },
    };

    public static async Task AddPoolAsync(IIpamStore store, string name, string cidr, int? blockSize = null)
    {
        var pool = new IPPool { Name = name, Cidr = cidr, BlockSize = blockSize };
        Assert.Empty(IPPoolValidator.Validate(pool));
        await store.Pools.CreateAsync(pool);
    }

    /// <summary>Every node asks for <paramref name="perNode"/> addresses at once; all must succeed.</summary>
    public async Task<IReadOnlyList<(AssignRequest Request, AssignResult Result)>> AllocateAsync(int perNode, string prefix = "pod")
    {
        var requests = nodes
            .SelectMany(n => Enumerable.Range(0, perNode).Select(i => (n.Allocator, Request: Request($"{prefix}-{n.Node}-{i}", n.Node))))
            .ToList();
        var results = await Task.WhenAll(requests.Select(r => Task.Run(() => r.Allocator.AutoAssignAsync(r.Request))));
        return [.. requests.Select(r => r.Request).Zip(results)];
    }

    /// <summary>No address twice; each in its block under its handle, which counts it; the checker clean.</summary>
    public async Task AssertConsistentAsync(IReadOnlyList<(AssignRequest Request, IpamAllocation Allocation)> allocations)
    {
        var addresses = allocations.Select(a => a.Allocation.Address).ToList();
        Assert.Equal(addresses.Count, addresses.Distinct().Count());

        var blocks = (await observer.Blocks.ListAsync()).Select(b => b.Value).ToList();
        Assert.Equal(addresses.Count, blocks.Sum(b => b.AllocatedCount));
        var handles = (await observer.Handles.ListAsync()).ToDictionary(h => h.Value.HandleId, h => h.Value, StringComparer.Ordinal);
        foreach (var (request, allocation) in allocations)
        {
            var recorded = blocks.Single(b => b.Cidr == allocation.Block).AllocationOf(allocation.Address);
            Assert.Equal(request.HandleId, recorded?.HandleId);
            Assert.Equal(request.IPv4Count + request.IPv6Count, handles[request.HandleId].Total);
        }

        await AssertCleanAsync(allocations.Select(a => a.Request.HandleId).ToHashSet());
    }

    public async Task AssertCleanAsync(IReadOnlySet<string>? liveHandles = null)
    {
        var report = await new IpamChecker(observer).CheckAsync(liveHandles);
        Assert.True(report.IsClean, string.Join("\n", report.Problems.Select(p => p.Message)));
    }

    /// <summary>Every handle released at once by its own node, then each node's empty blocks: nothing left.</summary>
    public async Task ReleaseAllAsync(IEnumerable<AssignRequest> requests, IReadOnlyCollection<IPAddress> expected)
    {
        var byNode = nodes.ToDictionary(n => n.Node, n => n.Allocator, StringComparer.Ordinal);
        var released = await Task.WhenAll(requests.Select(r => Task.Run(() => byNode[r.Node].ReleaseByHandleAsync(r.HandleId))));
        Assert.Equal(expected.Order(AddressOrder.Instance), released.SelectMany(r => r).Select(a => a.Address).Order(AddressOrder.Instance));
        await Task.WhenAll(nodes.Select(n => Task.Run(() => n.Allocator.ReleaseEmptyBlocksAsync(n.Node))));

        Assert.Empty(await observer.Blocks.ListAsync());
        Assert.Empty(await observer.Affinities.ListAsync());
        Assert.Empty(await observer.Handles.ListAsync());
        await AssertCleanAsync();
    }
}

internal sealed class AddressOrder : IComparer<IPAddress>
{
    public static readonly AddressOrder Instance = new();

    public int Compare(IPAddress? x, IPAddress? y) =>
        Routing.Ipam.Addresses.BlockCidr.ToNumber(x!).CompareTo(Routing.Ipam.Addresses.BlockCidr.ToNumber(y!));
}
