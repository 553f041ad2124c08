using Routing.Ipam.Allocation;
using Routing.Ipam.Checking;
using Routing.Ipam.Store;
using static Routing.Ipam.Tests.IpamTestBed;

namespace Routing.Ipam.Tests.Allocation;

public class ConflictTests
{
    private readonly IpamTestBed bed = new();

    [Theory]
    [InlineData(IpamKinds.Block)]
    [InlineData(IpamKinds.Handle)]
    [InlineData(IpamKinds.BlockAffinity)]
    public async Task A_write_that_conflicts_a_few_times_then_succeeds(string kind)
    {
        await bed.AddPoolAsync("10.0.0.0/16");
        var conflicts = 0;
        bed.Store.BeforeWrite = write =>
        {
            if (write.Kind == kind && write.Operation != IpamWriteOperation.Create && conflicts < 3)
            {
                conflicts++;
                throw new IpamStoreException(IpamStoreError.Conflict, write.Kind, write.Name);
            }
        };

        // An affinity is updated by the three-write claim only: a store without transactions.
        bed.Store.WithoutTransactions = kind == IpamKinds.BlockAffinity;
        var allocator = bed.Allocator();
        var got = await allocator.AutoAssignAsync(Request("a", "n1", ipv4: 2));
        await allocator.AutoAssignAsync(Request("a", "n1", ipv4: 1));
        await allocator.ReleaseAsync([got.IPv4[0].Address]);
        Assert.Equal(3, conflicts);
        bed.Store.BeforeWrite = null;
        Assert.Equal(2, (await allocator.GetByHandleAsync("a")).Count);
        Assert.True((await new IpamChecker(bed.Store).CheckAsync()).IsClean);
    }

    [Fact]
    public async Task Another_writer_changing_the_block_first_is_retried()
    {
        await bed.AddPoolAsync("10.0.0.0/16");
        var allocator = bed.Allocator();
        await allocator.AutoAssignAsync(Request("a", "n1"));
        var touches = 0;
        bed.Store.BeforeWrite = write =>
        {
            if (write.Kind == IpamKinds.Block && touches++ < 2)
            {
                bed.Store.Touch(write.Kind, write.Name);
            }
        };

        var got = await allocator.AutoAssignAsync(Request("b", "n1"));
        Assert.Equal(3, touches);
        bed.Store.BeforeWrite = null;
        Assert.Single(await allocator.GetByHandleAsync("b"));
        Assert.Equal(1, (await bed.Store.Handles.GetAsync("b"))!.Value.Total);
        Assert.True((await new IpamChecker(bed.Store).CheckAsync()).IsClean);
        Assert.Single(got.IPv4);
    }

    [Fact]
    public async Task Retries_run_out_with_a_clear_error_and_nothing_half_done()
    {
        await bed.AddPoolAsync("10.0.0.0/16");
        var allocator = bed.Allocator(new IpamOptions { Retry = new IpamRetryPolicy(4, TimeSpan.Zero, TimeSpan.Zero) });
        await allocator.AutoAssignAsync(Request("a", "n1"));
        var attempts = 0;
        bed.Store.BeforeWrite = write =>
        {
            if (write.Kind == IpamKinds.Block)
            {
                attempts++;
                throw new IpamStoreException(IpamStoreError.Conflict, write.Kind, write.Name);
            }
        };

        var error = await Assert.ThrowsAsync<IpamException>(() => allocator.AutoAssignAsync(Request("b", "n1")));
        Assert.Equal(IpamErrorKind.RetriesExhausted, error.Kind);
        Assert.StartsWith("gave up allocating from block 10.0.", error.Message, StringComparison.Ordinal);
        Assert.Contains("after 4 attempts", error.Message, StringComparison.Ordinal);
        Assert.Equal(4, attempts);
        bed.Store.BeforeWrite = null;
        Assert.Null(await bed.Store.Handles.GetAsync("b"));
        Assert.True((await new IpamChecker(bed.Store).CheckAsync()).IsClean);
    }

    [Fact]
    public async Task Two_nodes_racing_for_one_block_end_with_one_owner()
    {
        await bed.AddPoolAsync("10.0.0.0/26", 26);
        var n2 = bed.Allocator(seed: 2);

        // While n1 writes its pending affinity, n2 claims the same (only) block first.
        var raced = false;
        bed.Store.BeforeWrite = write =>
        {
            if (!raced && write.Kind == IpamKinds.BlockAffinity && write.Name.StartsWith("n1-", StringComparison.Ordinal))
            {
                raced = true;
                n2.AutoAssignAsync(Request("b", "n2")).GetAwaiter().GetResult();
            }
        };

        var got = await bed.Allocator().AutoAssignAsync(Request("a", "n1"));
        bed.Store.BeforeWrite = null;
        Assert.Equal("n2", (await bed.Store.Blocks.ListAsync()).Single().Value.AffineNode);
        Assert.Equal("n2", (await bed.Store.Affinities.ListAsync()).Single().Value.Node);
        Assert.Single(got.IPv4);
        Assert.True((await new IpamChecker(bed.Store).CheckAsync()).IsClean);
    }
}
