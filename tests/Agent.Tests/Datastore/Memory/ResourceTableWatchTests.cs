using Routing.Agent.Datastore.Memory;
using Routing.Agent.Datastore.Store;

namespace Routing.Agent.Tests.Datastore.Memory;

/// <summary>A watch of one kind beside a busy other kind (IPAM pools beside every allocation's block writes).</summary>
public sealed class ResourceTableWatchTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Many_changes_of_another_kind_do_not_expire_a_watch()
    {
        await using var store = new MemoryResourceStore(historyLimit: 3);
        var list = await store.ListAsync("IPPool");
        using var cancel = new CancellationTokenSource();
        await using var watch = store.WatchAsync("IPPool", list.Revision, cancel.Token).GetAsyncEnumerator(cancel.Token);
        var next = watch.MoveNextAsync().AsTask();

        // More block writes than the history keeps, none of them a pool.
        for (var i = 0; i < 10; i++)
        {
            var block = ResourceKey.ClusterScoped("IPAMBlock", $"b{i}");
            await store.CreateAsync(block, Document(block));
        }

        Assert.False(next.IsCompleted);
        var pool = ResourceKey.ClusterScoped("IPPool", "default");
        await store.CreateAsync(pool, Document(pool));

        Assert.True(await next.WaitAsync(Patience));
        Assert.Equal(ResourceEventType.Added, watch.Current.Type);
        Assert.Equal(pool, watch.Current.Resource!.Key);
    }

    [Fact]
    public async Task A_watch_whose_own_changes_were_forgotten_expires()
    {
        await using var store = new MemoryResourceStore(historyLimit: 3);
        var list = await store.ListAsync("IPPool");
        for (var i = 0; i < 5; i++)
        {
            var pool = ResourceKey.ClusterScoped("IPPool", $"p{i}");
            await store.CreateAsync(pool, Document(pool));
        }

        var error = await Assert.ThrowsAsync<ResourceStoreException>(async () =>
        {
            await foreach (var change in store.WatchAsync("IPPool", list.Revision))
            {
                Assert.Fail($"{change.Resource?.Key} delivered after its predecessors were forgotten");
            }
        });
        Assert.Equal(ResourceStoreError.Expired, error.Error);
    }

    private static string Document(ResourceKey key) =>
        $$$"""{"apiVersion":"routing.dev/v1","kind":"{{{key.Kind}}}","metadata":{"name":"{{{key.Name}}}"},"spec":{}}""";
}
