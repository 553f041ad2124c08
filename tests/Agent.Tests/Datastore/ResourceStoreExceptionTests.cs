using Routing.Agent.Datastore.Store;

namespace Routing.Agent.Tests.Datastore;

public sealed class ResourceStoreExceptionTests
{
    [Fact]
    public void An_exception_made_without_a_reason_says_unknown_not_already_exists()
    {
        Assert.Equal(ResourceStoreError.Unknown, new ResourceStoreException().Error);
        Assert.Equal(ResourceStoreError.Unknown, new ResourceStoreException("disk full").Error);
        Assert.Equal(ResourceStoreError.Unknown, new ResourceStoreException("disk full", new IOException("ENOSPC")).Error);
        Assert.Equal(ResourceStoreError.Conflict, new ResourceStoreException(ResourceStoreError.Conflict, null, "changed").Error);
    }
}
