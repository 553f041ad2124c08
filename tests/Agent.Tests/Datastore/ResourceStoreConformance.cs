using System.Text.Json;
using Routing.Agent.Datastore.Store;

namespace Routing.Agent.Tests.Datastore;

/// <summary>
/// What every <see cref="IResourceStore"/> must do, whatever holds the data: a backend's test class
/// derives from this with a factory for its store (one per test) and gets every case. Each test
/// works on a kind of its own, so a store shared by a test class sees no interference.
/// </summary>
public abstract class ResourceStoreConformance : IAsyncLifetime
{
    /// <summary>How long a watch may take to deliver a change.</summary>
    protected static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private static int kinds;
    private readonly Func<IResourceStore> openStore;
    private IResourceStore? store;

    protected ResourceStoreConformance(Func<IResourceStore> openStore)
    {
        this.openStore = openStore;
    }

    protected IResourceStore Store => store ?? throw new InvalidOperationException("the store opens in InitializeAsync");

    public Task InitializeAsync()
    {
        store = openStore();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        if (store is not null)
        {
            await store.DisposeAsync();
        }
    }

    /// <summary>
    /// Makes the store forget its history up to and including <paramref name="revision"/> (etcd
    /// compaction); false when the backend cannot, and the test that needs it is skipped.
    /// </summary>
    protected virtual Task<bool> ForgetHistoryAsync(string revision) => Task.FromResult(false);

    /// <summary>A kind no other test uses.</summary>
    protected virtual string NewKind() => $"Widget{Interlocked.Increment(ref kinds)}x{Environment.ProcessId}";

    protected static string Document(ResourceKey key, int value)
    {
        var metadata = key.Namespace.Length == 0
            ? new Dictionary<string, string> { ["name"] = key.Name }
            : new Dictionary<string, string> { ["name"] = key.Name, ["namespace"] = key.Namespace };
        return JsonSerializer.Serialize(new { apiVersion = "routing.dev/v1", kind = key.Kind, metadata, spec = new { value } });
    }

    protected static int ValueOf(StoredResource resource)
    {
        using var json = JsonDocument.Parse(resource.Json);
        return json.RootElement.GetProperty("spec").GetProperty("value").GetInt32();
    }

    private ResourceKey NewKey(string name = "one") => ResourceKey.ClusterScoped(NewKind(), name);

    [Fact]
    public async Task A_created_resource_reads_back_with_the_revision_the_create_returned()
    {
        var key = NewKey();

        var created = await Store.CreateAsync(key, Document(key, 1));
        var read = await Store.GetAsync(key);

        Assert.NotNull(read);
        Assert.Equal(key, read.Key);
        Assert.Equal(1, ValueOf(read));
        Assert.Equal(created.Revision, read.Revision);
        Assert.False(string.IsNullOrEmpty(created.Revision));
    }

    [Fact]
    public async Task A_missing_resource_reads_as_null()
    {
        Assert.Null(await Store.GetAsync(NewKey("nobody")));
    }

    [Fact]
    public async Task Creating_a_taken_key_is_AlreadyExists_and_keeps_the_first()
    {
        var key = NewKey();
        var first = await Store.CreateAsync(key, Document(key, 1));

        var e = await Assert.ThrowsAsync<ResourceStoreException>(() => Store.CreateAsync(key, Document(key, 2)));

        Assert.Equal(ResourceStoreError.AlreadyExists, e.Error);
        Assert.Equal(key, e.Key);
        var read = await Store.GetAsync(key);
        Assert.Equal((1, first.Revision), (ValueOf(read!), read!.Revision));
    }

    [Fact]
    public async Task An_update_at_the_current_revision_replaces_the_document_and_moves_the_revision()
    {
        var key = NewKey();
        var created = await Store.CreateAsync(key, Document(key, 1));

        var updated = await Store.UpdateAsync(key, Document(key, 2), created.Revision);

        Assert.NotEqual(created.Revision, updated.Revision);
        var read = await Store.GetAsync(key);
        Assert.Equal((2, updated.Revision), (ValueOf(read!), read!.Revision));
    }

    [Fact]
    public async Task An_update_at_an_old_revision_is_a_Conflict_and_changes_nothing()
    {
        var key = NewKey();
        var created = await Store.CreateAsync(key, Document(key, 1));
        var updated = await Store.UpdateAsync(key, Document(key, 2), created.Revision);

        var e = await Assert.ThrowsAsync<ResourceStoreException>(() => Store.UpdateAsync(key, Document(key, 3), created.Revision));

        Assert.Equal(ResourceStoreError.Conflict, e.Error);
        Assert.Equal(key, e.Key);
        var read = await Store.GetAsync(key);
        Assert.Equal((2, updated.Revision), (ValueOf(read!), read!.Revision));
    }

    [Fact]
    public async Task Updating_a_missing_resource_is_NotFound_and_creates_nothing()
    {
        var key = NewKey();
        var created = await Store.CreateAsync(key, Document(key, 1));
        Assert.True(await Store.DeleteAsync(key));

        var e = await Assert.ThrowsAsync<ResourceStoreException>(() => Store.UpdateAsync(key, Document(key, 2), created.Revision));

        Assert.Equal(ResourceStoreError.NotFound, e.Error);
        Assert.Null(await Store.GetAsync(key));
    }

    [Fact]
    public async Task Of_two_writers_from_the_same_revision_exactly_one_wins()
    {
        var key = NewKey();
        var created = await Store.CreateAsync(key, Document(key, 0));

        var writes = await Task.WhenAll(Enumerable.Range(1, 2).Select(async value =>
        {
            try
            {
                return (Value: value, Written: await Store.UpdateAsync(key, Document(key, value), created.Revision), Error: (ResourceStoreError?)null);
            }
            catch (ResourceStoreException e)
            {
                return (Value: value, Written: (StoredResource?)null, Error: (ResourceStoreError?)e.Error);
            }
        }));

        var winner = Assert.Single(writes, w => w.Written is not null);
        var loser = Assert.Single(writes, w => w.Written is null);
        Assert.Equal(ResourceStoreError.Conflict, loser.Error);
        var read = await Store.GetAsync(key);
        Assert.Equal((winner.Value, winner.Written!.Revision), (ValueOf(read!), read!.Revision));
    }

    [Fact]
    public async Task Deleting_says_whether_there_was_something_to_delete()
    {
        var key = NewKey();
        await Store.CreateAsync(key, Document(key, 1));

        Assert.True(await Store.DeleteAsync(key));
        Assert.False(await Store.DeleteAsync(key));
        Assert.Null(await Store.GetAsync(key));
    }

    [Fact]
    public async Task A_delete_at_an_old_revision_is_a_Conflict_and_at_the_current_one_deletes()
    {
        var key = NewKey();
        var created = await Store.CreateAsync(key, Document(key, 1));
        var updated = await Store.UpdateAsync(key, Document(key, 2), created.Revision);

        var e = await Assert.ThrowsAsync<ResourceStoreException>(() => Store.DeleteAsync(key, created.Revision));

        Assert.Equal(ResourceStoreError.Conflict, e.Error);
        Assert.NotNull(await Store.GetAsync(key));
        Assert.True(await Store.DeleteAsync(key, updated.Revision));
        Assert.Null(await Store.GetAsync(key));
        Assert.False(await Store.DeleteAsync(key, updated.Revision));
    }

    [Fact]
    public async Task A_list_holds_every_resource_of_its_kind_in_every_namespace_and_nothing_else()
    {
        var kind = NewKind();
        var other = NewKind();
        ResourceKey[] keys =
        [
            ResourceKey.ClusterScoped(kind, "a"),
            ResourceKey.ClusterScoped(kind, "b"),
            new(kind, "team-1", "a"),
            new(kind, "team-2", "c"),
        ];
        var written = new Dictionary<ResourceKey, StoredResource>();
        for (var i = 0; i < keys.Length; i++)
        {
            written[keys[i]] = await Store.CreateAsync(keys[i], Document(keys[i], i));
        }

        await Store.CreateAsync(ResourceKey.ClusterScoped(other, "a"), Document(ResourceKey.ClusterScoped(other, "a"), 99));

        var list = await Store.ListAsync(kind);

        Assert.Equal(keys.OrderBy(k => k.ToString()), list.Items.Select(r => r.Key).OrderBy(k => k.ToString()));
        foreach (var item in list.Items)
        {
            Assert.Equal(written[item.Key].Revision, item.Revision);
            Assert.Equal(Array.IndexOf(keys, item.Key), ValueOf(item));
        }

        Assert.Empty((await Store.ListAsync(NewKind())).Items);
    }

    [Fact]
    public async Task A_namespaced_resource_and_a_cluster_scoped_one_of_the_same_name_are_distinct()
    {
        var kind = NewKind();
        var cluster = ResourceKey.ClusterScoped(kind, "same");
        var namespaced = new ResourceKey(kind, "team-1", "same");

        await Store.CreateAsync(cluster, Document(cluster, 1));
        await Store.CreateAsync(namespaced, Document(namespaced, 2));
        Assert.True(await Store.DeleteAsync(cluster));

        Assert.Null(await Store.GetAsync(cluster));
        Assert.Equal(2, ValueOf((await Store.GetAsync(namespaced))!));
    }

    [Fact]
    public async Task A_watch_from_a_list_sees_every_later_change_once_in_order()
    {
        var kind = NewKind();
        var a = ResourceKey.ClusterScoped(kind, "a");
        var b = new ResourceKey(kind, "team-1", "b");
        await Store.CreateAsync(a, Document(a, 0));
        var list = await Store.ListAsync(kind);
        await using var watch = new WatchRecorder(Store, kind, list.Revision);

        var a1 = await Store.UpdateAsync(a, Document(a, 1), list.Items[0].Revision);
        var b0 = await Store.CreateAsync(b, Document(b, 10));
        var a2 = await Store.UpdateAsync(a, Document(a, 2), a1.Revision);
        await Store.DeleteAsync(b);
        var elsewhere = ResourceKey.ClusterScoped(NewKind(), "elsewhere");
        await Store.CreateAsync(elsewhere, Document(elsewhere, 0));
        var b1 = await Store.CreateAsync(b, Document(b, 11));

        var seen = await watch.WaitForChangesAsync(5, Patience);
        Assert.Equal(
            [
                (ResourceEventType.Modified, a, 1),
                (ResourceEventType.Added, b, 10),
                (ResourceEventType.Modified, a, 2),
                (ResourceEventType.Deleted, b, 10),
                (ResourceEventType.Added, b, 11),
            ],
            seen.Select(e => (e.Type, e.Resource!.Key, ValueOf(e.Resource))));
        Assert.Equal([a1.Revision, b0.Revision, a2.Revision], seen.Take(3).Select(e => e.Resource!.Revision));
        Assert.Equal(b1.Revision, seen[4].Resource!.Revision);
        await Task.Delay(200);
        Assert.Equal(5, watch.Changes.Count);
    }

    [Fact]
    public async Task A_watch_from_an_earlier_revision_replays_what_happened_since()
    {
        var kind = NewKind();
        var list = await Store.ListAsync(kind);
        var keys = Enumerable.Range(0, 5).Select(i => ResourceKey.ClusterScoped(kind, $"r{i}")).ToList();
        foreach (var key in keys)
        {
            await Store.CreateAsync(key, Document(key, 7));
        }

        await using var watch = new WatchRecorder(Store, kind, list.Revision);

        var seen = await watch.WaitForChangesAsync(5, Patience);
        Assert.Equal(keys, seen.Select(e => e.Resource!.Key));
        Assert.All(seen, e => Assert.Equal(ResourceEventType.Added, e.Type));
    }

    [SkippableFact]
    public async Task A_watch_from_forgotten_history_fails_with_Expired()
    {
        var kind = NewKind();
        var key = ResourceKey.ClusterScoped(kind, "a");
        var old = await Store.ListAsync(kind);
        var written = await Store.CreateAsync(key, Document(key, 1));
        written = await Store.UpdateAsync(key, Document(key, 2), written.Revision);
        Skip.IfNot(await ForgetHistoryAsync(written.Revision), "this store keeps no history to forget");

        await using var watch = new WatchRecorder(Store, kind, old.Revision);

        var e = await Assert.ThrowsAsync<ResourceStoreException>(() => watch.Completion.WaitAsync(Patience));
        Assert.Equal(ResourceStoreError.Expired, e.Error);
    }

    [Fact]
    public async Task Cancelling_a_watch_ends_it()
    {
        var kind = NewKind();
        var list = await Store.ListAsync(kind);
        using var cancel = new CancellationTokenSource();
        await using var watch = Store.WatchAsync(kind, list.Revision, cancel.Token).GetAsyncEnumerator(cancel.Token);
        var next = watch.MoveNextAsync().AsTask();

        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => next.WaitAsync(Patience));
    }

    [Fact]
    public async Task Concurrent_updaters_that_retry_on_Conflict_lose_no_update()
    {
        const int Updaters = 100;
        var key = NewKey("counter");
        await Store.CreateAsync(key, Document(key, 0));
        var conflicts = 0;

        await Task.WhenAll(Enumerable.Range(0, Updaters).Select(_ => Task.Run(async () =>
        {
            while (true)
            {
                var current = (await Store.GetAsync(key))!;

                // Let the others read the same revision, even where a store answers synchronously.
                await Task.Yield();
                try
                {
                    await Store.UpdateAsync(key, Document(key, ValueOf(current) + 1), current.Revision);
                    return;
                }
                catch (ResourceStoreException e) when (e.Error == ResourceStoreError.Conflict)
                {
                    Interlocked.Increment(ref conflicts);
                }
            }
        })));

        Assert.Equal(Updaters, ValueOf((await Store.GetAsync(key))!));
        Assert.True(conflicts > 0, "100 concurrent updaters never collided: the test proves nothing");
    }
}
