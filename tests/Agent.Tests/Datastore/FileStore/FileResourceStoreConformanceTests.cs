using Routing.Agent.Datastore.FileStore;

namespace Routing.Agent.Tests.Datastore.FileStore;

/// <summary>The conformance cases on the file store; their kinds are not IPAM's, so they go to the YAML file.</summary>
public sealed class FileResourceStoreConformanceTests : ResourceStoreConformance, IDisposable
{
    private static readonly string Directory = System.IO.Directory.CreateTempSubdirectory("routing-conformance-").FullName;

    public FileResourceStoreConformanceTests()
        : base(() => new FileResourceStore(Path.Combine(Directory, $"{Guid.NewGuid():N}.yaml"), TimeSpan.FromMilliseconds(20)))
    {
    }

    protected override async Task<bool> ForgetHistoryAsync(string revision)
    {
        var now = await Store.ListAsync("Anything");
        ((FileResourceStore)Store).ForgetThrough(now.Revision);
        return true;
    }

    public void Dispose()
    {
        foreach (var file in System.IO.Directory.EnumerateFiles(Directory))
        {
            File.Delete(file);
        }
    }
}
