using System.Net;
using Routing.Ipam.Allocation;
using Routing.Ipam.Checking;
using Routing.Ipam.Store;

namespace Routing.Ipam.Tests.Allocation;

public class ConcurrencyTests
{
    // With transactions (a datastore like etcd: handles written in the block's own write) and without (Kubernetes).
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Three_nodes_allocating_500_addresses_each_at_once_never_share_one(bool transactions)
    {
        var bed = new IpamTestBed();
        bed.Store.WithoutTransactions = !transactions;
        await bed.AddPoolAsync("10.128.0.0/20");
        var chaos = new Random(7);
        var injected = 0;
        bed.Store.BeforeWrite = write =>
        {
            // One write in ten loses its compare-and-swap, as if another node got there first.
            bool fail;
            lock (chaos)
            {
                fail = write.Operation != IpamWriteOperation.Create && chaos.Next(10) == 0;
            }

            if (fail)
            {
                Interlocked.Increment(ref injected);
                throw new IpamStoreException(IpamStoreError.Conflict, write.Kind, write.Name);
            }
        };

        string[] nodes = ["n1", "n2", "n3"];
        var allocators = nodes.Select((node, i) => (node, allocator: bed.Allocator(seed: i + 1))).ToList();
        var requests = allocators
            .SelectMany(a => Enumerable.Range(0, 500).Select(i => (a.allocator, request: IpamTestBed.Request($"{a.node}-pod-{i}", a.node))))
            .ToList();

        var results = await Task.WhenAll(requests.Select(r => Task.Run(() => r.allocator.AutoAssignAsync(r.request))));

        var addresses = results.Select(r => Assert.Single(r.IPv4).Address).ToList();
        Assert.Equal(1500, addresses.Distinct().Count());
        Assert.True(injected > 0);
        bed.Store.BeforeWrite = null;

        var blocks = (await bed.Store.Blocks.ListAsync()).Select(b => b.Value).ToList();
        Assert.Equal(1500, blocks.Sum(b => b.AllocatedCount));
        foreach (var (result, (_, request)) in results.Zip(requests))
        {
            var allocation = result.IPv4[0];
            var recorded = blocks.Single(b => b.Cidr == allocation.Block).AllocationOf(allocation.Address);
            Assert.Equal(request.HandleId, recorded!.Value.HandleId);
            Assert.Equal(1, (await bed.Store.Handles.GetAsync(request.HandleId))!.Value.Total);
        }

        var report = await new IpamChecker(bed.Store).CheckAsync(requests.Select(r => r.request.HandleId).ToHashSet());
        Assert.True(report.IsClean, string.Join("\n", report.Problems.Select(p => p.Message)));

        bed.Store.BeforeWrite = write =>
        {
            bool fail;
            lock (chaos)
            {
                fail = write.Operation != IpamWriteOperation.Create && chaos.Next(10) == 0;
            }

            if (fail)
            {
                throw new IpamStoreException(IpamStoreError.Conflict, write.Kind, write.Name);
            }
        };
        var released = await Task.WhenAll(requests.Select(r => Task.Run(() => r.allocator.ReleaseByHandleAsync(r.request.HandleId))));
        Assert.Equal(addresses.Order(Comparer<IPAddress>.Create(Compare)), released.Select(r => Assert.Single(r).Address).Order(Comparer<IPAddress>.Create(Compare)));
        await Task.WhenAll(allocators.Select(a => Task.Run(() => a.allocator.ReleaseEmptyBlocksAsync(a.node))));
        bed.Store.BeforeWrite = null;

        Assert.Empty(await bed.Store.Blocks.ListAsync());
        Assert.Empty(await bed.Store.Affinities.ListAsync());
        Assert.Empty(await bed.Store.Handles.ListAsync());
        Assert.True((await new IpamChecker(bed.Store).CheckAsync()).IsClean);
    }

    private static int Compare(IPAddress? a, IPAddress? b) =>
        Routing.Ipam.Addresses.BlockCidr.ToNumber(a!).CompareTo(Routing.Ipam.Addresses.BlockCidr.ToNumber(b!));
}
