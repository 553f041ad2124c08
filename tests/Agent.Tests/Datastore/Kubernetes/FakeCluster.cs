using System.Security.Cryptography.X509Certificates;
using Routing.Agent.Datastore.Kubernetes;
using Routing.Agent.Tests.Datastore.Kubernetes.Fake;

namespace Routing.Agent.Tests.Datastore.Kubernetes;

/// <summary>A fake API server with Routing's CRDs installed, and stores that talk to it with a bearer token.</summary>
public sealed class FakeCluster : IAsyncDisposable
{
    public const string Token = "test-token-0123456789";

    private readonly List<KubernetesResourceStore> stores = [];

    private FakeCluster(FakeApiServer server)
    {
        Server = server;
    }

    public FakeApiServer Server { get; }

    /// <summary>Quick retries, so that tests of reconnection do not wait for production back-off.</summary>
    public static KubernetesStoreOptions FastOptions { get; } = new()
    {
        RetryDelay = TimeSpan.FromMilliseconds(10),
        MaxRetryDelay = TimeSpan.FromMilliseconds(100),
        RequestTimeout = TimeSpan.FromSeconds(10),
    };

    public static async Task<FakeCluster> StartAsync(X509Certificate2? certificate = null)
    {
        var server = await FakeApiServer.StartAsync(Token, certificate);
        CrdManifests.InstallAll(server);
        return new FakeCluster(server);
    }

    public KubernetesResourceStore NewStore(KubernetesStoreOptions? options = null, string token = Token)
    {
        var store = new KubernetesResourceStore(
            new KubernetesClientConfig { Server = Server.Address, Token = BearerToken.FromValue(token), Source = "test" },
            options ?? FastOptions);
        stores.Add(store);
        return store;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var store in stores)
        {
            await store.DisposeAsync();
        }

        await Server.DisposeAsync();
    }
}
