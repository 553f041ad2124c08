using Routing.Agent.Datastore.FileStore;
using Routing.Agent.Datastore.Store;
using Routing.Agent.Resources;

namespace Routing.Agent.Tests.Datastore.Transactions;

/// <summary>Transactions on the file store: one journal line each, read whole by another store on the file.</summary>
public sealed class FileResourceTransactionsTests : ResourceTransactionsConformance, IDisposable
{
    private static readonly string Directory = System.IO.Directory.CreateTempSubdirectory("routing-transactions-").FullName;
    private readonly string path;

    public FileResourceTransactionsTests()
        : this(Path.Combine(Directory, $"{Guid.NewGuid():N}.yaml"))
    {
    }

    private FileResourceTransactionsTests(string path)
        : base(() => new FileResourceStore(path, TimeSpan.FromMilliseconds(20)))
    {
        this.path = path;
    }

    [Fact]
    public async Task Another_store_on_the_file_reads_every_write_of_a_transaction()
    {
        var block = ResourceKey.ClusterScoped(ResourceKinds.IpamBlock, "10-9-9-0-26");
        var handles = Enumerable.Range(0, 3).Select(i => ResourceKey.ClusterScoped(ResourceKinds.IpamHandle, $"pod-{i}")).ToList();
        var revision = (await Store.CreateAsync(block, Json(block))).Revision;
        await using var other = new FileResourceStore(path, TimeSpan.FromMilliseconds(20));
        Assert.NotNull(await other.GetAsync(block));

        await ((IResourceTransactions)Store).WriteAllAsync([.. handles.Select(h => ResourceWrite.Create(h, Json(h))), ResourceWrite.Update(block, Json(block, "x"), revision)]);

        Assert.Equal(3, (await other.ListAsync(ResourceKinds.IpamHandle)).Items.Count);
        Assert.Equal((await Store.GetAsync(block))!.Revision, (await other.GetAsync(block))!.Revision);
    }

    [Fact]
    public async Task Kinds_of_the_resource_file_are_refused()
    {
        var pool = ResourceKey.ClusterScoped(ResourceKinds.IPPool, "p");
        var error = await Assert.ThrowsAsync<ArgumentException>(() => ((IResourceTransactions)Store).WriteAllAsync([ResourceWrite.Create(pool, Json(pool))]));
        Assert.Contains("IPAMBlock", error.Message, StringComparison.Ordinal);
    }

    private static string Json(ResourceKey key, string note = "") =>
        System.Text.Json.JsonSerializer.Serialize(new { apiVersion = "routing.dev/v1", kind = key.Kind, metadata = new { name = key.Name }, spec = new { note } });

    public void Dispose()
    {
        foreach (var file in System.IO.Directory.EnumerateFiles(Directory, Path.GetFileName(path) + "*"))
        {
            File.Delete(file);
        }
    }
}
