using BenchmarkDotNet.Attributes;
using Routing.Ipam.Allocation;
using Routing.Ipam.Pools;
using Routing.Ipam.Store;

namespace Routing.Benchmarks.Ipam;

/// <summary>
/// One pod's CNI ADD and DEL against the in-memory store: an address allocated from the node's
/// half-full block and released again. What it measures is the allocator's own work per request
/// (reads, copies of the block, the handle and block writes), the floor under any real datastore.
/// </summary>
[MemoryDiagnoser]
public class AllocationBenchmarks
{
    private readonly AssignRequest ipv4 = new() { HandleId = "k8s-pod-network.bench.eth0", Node = "n1", IPv4Count = 1 };
    private readonly AssignRequest dualStack = new() { HandleId = "k8s-pod-network.bench.eth0", Node = "n1", IPv4Count = 1, IPv6Count = 1 };
    private IpamAllocator allocator = null!;

    [GlobalSetup]
    public void Setup()
    {
        var store = new InMemoryIpamStore();
        store.Pools.CreateAsync(new IPPool { Name = "v4", Cidr = "10.244.0.0/16" }).AsTask().GetAwaiter().GetResult();
        store.Pools.CreateAsync(new IPPool { Name = "v6", Cidr = "fd00:10:244::/64" }).AsTask().GetAwaiter().GetResult();
        allocator = new IpamAllocator(store, random: new Random(1));

        // Half of the node's blocks in use, as on a node running 32 pods.
        allocator.AutoAssignAsync(new AssignRequest { HandleId = "others", Node = "n1", IPv4Count = 32, IPv6Count = 32 }).GetAwaiter().GetResult();
    }

    [Benchmark(Baseline = true)]
    public async Task AllocateAndReleaseByHandle()
    {
        await allocator.AutoAssignAsync(ipv4);
        await allocator.ReleaseByHandleAsync(ipv4.HandleId);
    }

    [Benchmark]
    public async Task AllocateAndReleaseBySequenceNumber()
    {
        var result = await allocator.AutoAssignAsync(ipv4);
        var allocation = result.IPv4[0];
        await allocator.ReleaseAsync([new AddressRelease(allocation.Address, allocation.SequenceNumber)]);
    }

    [Benchmark]
    public async Task AllocateAndReleaseDualStack()
    {
        await allocator.AutoAssignAsync(dualStack);
        await allocator.ReleaseByHandleAsync(dualStack.HandleId);
    }
}
