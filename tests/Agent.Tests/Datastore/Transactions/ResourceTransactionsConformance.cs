using System.Text.Json;
using Routing.Agent.Datastore.Store;
using Routing.Agent.Resources;

namespace Routing.Agent.Tests.Datastore.Transactions;

/// <summary>
/// What every <see cref="IResourceTransactions"/> must do: all of a transaction's writes or none,
/// and a refusal that names the write whose condition failed. On IPAM's kinds, which every store
/// with transactions writes in them.
/// </summary>
public abstract class ResourceTransactionsConformance : IAsyncLifetime
{
    private readonly Func<IResourceStore> openStore;
    private IResourceStore? store;

    protected ResourceTransactionsConformance(Func<IResourceStore> openStore)
    {
        this.openStore = openStore;
    }

    protected IResourceStore Store => store ?? throw new InvalidOperationException("the store opens in InitializeAsync");

    private IResourceTransactions Transactions => (IResourceTransactions)Store;

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

    [Fact]
    public async Task Every_write_is_made_together_at_the_revisions_returned()
    {
        var (block, handle, gone) = Keys();
        var blockRevision = (await Store.CreateAsync(block, Document(block, 1))).Revision;
        var goneRevision = (await Store.CreateAsync(gone, Document(gone, 1))).Revision;

        var revisions = await Transactions.WriteAllAsync(
            [ResourceWrite.Create(handle, Document(handle, 1)), ResourceWrite.Update(block, Document(block, 2), blockRevision), ResourceWrite.Delete(gone, goneRevision)]);

        Assert.Equal(3, revisions.Count);
        Assert.Null(revisions[2]);
        var storedHandle = await Store.GetAsync(handle);
        var storedBlock = await Store.GetAsync(block);
        Assert.Equal(1, ValueOf(storedHandle!));
        Assert.Equal(2, ValueOf(storedBlock!));
        Assert.Equal(revisions[0], storedHandle!.Revision);
        Assert.Equal(revisions[1], storedBlock!.Revision);
        Assert.Null(await Store.GetAsync(gone));

        // The revision returned is the one to compare against next.
        await Store.UpdateAsync(block, Document(block, 3), revisions[1]!);
    }

    [Fact]
    public async Task A_create_of_a_key_taken_is_refused_by_name_and_nothing_is_written()
    {
        var (block, handle, other) = Keys();
        var blockRevision = (await Store.CreateAsync(block, Document(block, 1))).Revision;
        await Store.CreateAsync(handle, Document(handle, 1));

        var refused = await Assert.ThrowsAsync<ResourceStoreException>(() => Transactions.WriteAllAsync(
            [ResourceWrite.Create(other, Document(other, 1)), ResourceWrite.Create(handle, Document(handle, 2)), ResourceWrite.Update(block, Document(block, 2), blockRevision)]));

        Assert.Equal(ResourceStoreError.AlreadyExists, refused.Error);
        Assert.Equal(handle, refused.Key);
        Assert.Null(await Store.GetAsync(other));
        Assert.Equal(1, ValueOf((await Store.GetAsync(handle))!));
        Assert.Equal(blockRevision, (await Store.GetAsync(block))!.Revision);
    }

    [Fact]
    public async Task An_update_of_a_changed_or_missing_resource_is_refused_by_name_and_nothing_is_written()
    {
        var (block, handle, missing) = Keys();
        var stale = (await Store.CreateAsync(block, Document(block, 1))).Revision;
        var current = (await Store.UpdateAsync(block, Document(block, 2), stale)).Revision;

        var conflict = await Assert.ThrowsAsync<ResourceStoreException>(() => Transactions.WriteAllAsync(
            [ResourceWrite.Create(handle, Document(handle, 1)), ResourceWrite.Update(block, Document(block, 3), stale)]));
        Assert.Equal(ResourceStoreError.Conflict, conflict.Error);
        Assert.Equal(block, conflict.Key);

        var notFound = await Assert.ThrowsAsync<ResourceStoreException>(() => Transactions.WriteAllAsync(
            [ResourceWrite.Create(handle, Document(handle, 1)), ResourceWrite.Update(missing, Document(missing, 1), current)]));
        Assert.Equal(ResourceStoreError.NotFound, notFound.Error);
        Assert.Equal(missing, notFound.Key);

        Assert.Null(await Store.GetAsync(handle));
        Assert.Equal(2, ValueOf((await Store.GetAsync(block))!));
    }

    [Fact]
    public async Task A_key_written_twice_in_one_transaction_is_refused_before_anything_is_sent()
    {
        var (_, handle, _) = Keys();
        var error = await Assert.ThrowsAsync<ArgumentException>(() => Transactions.WriteAllAsync(
            [ResourceWrite.Create(handle, Document(handle, 1)), ResourceWrite.Create(handle, Document(handle, 2))]));
        Assert.Contains("written twice", error.Message, StringComparison.Ordinal);
        Assert.Null(await Store.GetAsync(handle));
    }

    /// <summary>A block, a handle and another handle no other test uses.</summary>
    private static (ResourceKey Block, ResourceKey Handle, ResourceKey Other) Keys()
    {
        var id = Guid.NewGuid().ToString("N")[..12];
        return (ResourceKey.ClusterScoped(ResourceKinds.IpamBlock, $"10-{id}-26"),
                ResourceKey.ClusterScoped(ResourceKinds.IpamHandle, $"h-{id}"),
                ResourceKey.ClusterScoped(ResourceKinds.IpamHandle, $"o-{id}"));
    }

    private static string Document(ResourceKey key, int value) =>
        JsonSerializer.Serialize(new { apiVersion = "routing.dev/v1", kind = key.Kind, metadata = new { name = key.Name }, spec = new { value } });

    private static int ValueOf(StoredResource resource)
    {
        using var json = JsonDocument.Parse(resource.Json);
        return json.RootElement.GetProperty("spec").GetProperty("value").GetInt32();
    }
}
