using Routing.Agent.Ipam;
using Routing.Ipam.Allocation;
using Routing.Ipam.Store;

namespace Routing.Agent.Tests.Ipam;

/// <summary>Waiting for a node's watched view, and the scenarios every backend's view must pass.</summary>
internal static class WatchedStores
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    public static Task UntilAsync(Func<bool> condition, string what) => UntilAsync(() => Task.FromResult(condition()), what);

    /// <summary>
    /// A pool another client deletes while a node has it cached: once the deletion reaches the node,
    /// it allocates from it no more, and the refused request leaves no handle behind.
    /// </summary>
    public static async Task DeletedPoolIsNoLongerAllocatedFromAsync(IIpamStore admin, WatchedIpamStore node, string cidr)
    {
        await IpamRun.AddPoolAsync(admin, "going", cidr, blockSize: 26);
        var allocator = IpamRun.Allocator(node, seed: 1);
        await allocator.AutoAssignAsync(IpamRun.Request("before", "n1"));
        await UntilAsync(() => node.InSync, "the node's watches to list");

        var pool = (await admin.Pools.GetAsync("going"))!;
        await admin.Pools.DeleteAsync("going", pool.Revision);
        await UntilAsync(async () => (await node.Pools.ListAsync()).Count == 0, "the deletion to reach the node");

        var error = await Assert.ThrowsAsync<IpamException>(() => allocator.AutoAssignAsync(IpamRun.Request("after", "n1")));
        Assert.Equal(IpamErrorKind.NoPool, error.Kind);
        Assert.Null(await admin.Handles.GetAsync("after"));
    }

    public static async Task UntilAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"waited {Patience.TotalSeconds:0} s for {what}");
            await Task.Delay(20);
        }
    }
}
