using Routing.Ipam.Blocks;
using Routing.Ipam.Store;
using static Routing.Ipam.Tests.IpamTestBed;

namespace Routing.Ipam.Tests.Store;

public class InMemoryIpamStoreTests
{
    private readonly InMemoryIpamStore store = new();

    [Fact]
    public async Task Writes_are_compare_and_swap_on_the_revision()
    {
        var created = await store.Blocks.CreateAsync(new AllocationBlock(Net("10.0.0.0/26"), "n1"));
        var again = await Assert.ThrowsAsync<IpamStoreException>(async () => await store.Blocks.CreateAsync(new AllocationBlock(Net("10.0.0.0/26"), "n2")));
        Assert.Equal(IpamStoreError.AlreadyExists, again.Error);

        var updated = await store.Blocks.UpdateAsync(created.Value, created.Revision);
        Assert.NotEqual(created.Revision, updated.Revision);
        var stale = await Assert.ThrowsAsync<IpamStoreException>(async () => await store.Blocks.UpdateAsync(created.Value, created.Revision));
        Assert.Equal(IpamStoreError.Conflict, stale.Error);
        Assert.Contains("IPAMBlock 10-0-0-0-26", stale.Message, StringComparison.Ordinal);

        var staleDelete = await Assert.ThrowsAsync<IpamStoreException>(async () => await store.Blocks.DeleteAsync(created.Value.Name, created.Revision));
        Assert.Equal(IpamStoreError.Conflict, staleDelete.Error);
        await store.Blocks.DeleteAsync(created.Value.Name, updated.Revision);
        var gone = await Assert.ThrowsAsync<IpamStoreException>(async () => await store.Blocks.UpdateAsync(created.Value, updated.Revision));
        Assert.Equal(IpamStoreError.NotFound, gone.Error);
        Assert.Null(await store.Blocks.GetAsync(created.Value.Name));
    }

    [Fact]
    public async Task Records_read_are_copies()
    {
        var created = await store.Blocks.CreateAsync(new AllocationBlock(Net("10.0.0.0/26"), "n1"));
        created.Value.AutoAssign(5, new AllocationAttribute("h"));
        var read = await store.Blocks.GetAsync(created.Value.Name);
        Assert.True(read!.Value.IsEmpty);
        read.Value.AutoAssign(1, new AllocationAttribute("h"));
        Assert.True((await store.Blocks.ListAsync()).Single().Value.IsEmpty);
    }

    [Fact]
    public async Task Touch_makes_a_pending_write_conflict()
    {
        var created = await store.Affinities.CreateAsync(new BlockAffinity("n1", Net("10.0.0.0/26"), AffinityState.Pending));
        store.BeforeWrite = write => store.Touch(write.Kind, write.Name);
        var conflict = await Assert.ThrowsAsync<IpamStoreException>(async () =>
            await store.Affinities.UpdateAsync(created.Value with { State = AffinityState.Confirmed }, created.Revision));
        Assert.Equal(IpamStoreError.Conflict, conflict.Error);
        Assert.False(store.Touch(IpamKinds.Handle, "nothing"));
    }
}
