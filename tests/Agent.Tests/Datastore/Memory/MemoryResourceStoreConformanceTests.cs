using Routing.Agent.Datastore.Memory;

namespace Routing.Agent.Tests.Datastore.Memory;

public sealed class MemoryResourceStoreConformanceTests() : ResourceStoreConformance(() => new MemoryResourceStore())
{
    // Its revisions are content hashes: forget everything up to the store's present sequence.
    protected override async Task<bool> ForgetHistoryAsync(string revision)
    {
        var now = await Store.ListAsync("Anything");
        ((MemoryResourceStore)Store).ForgetThrough(now.Revision);
        return true;
    }
}
