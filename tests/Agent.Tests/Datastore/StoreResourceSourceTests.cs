using Routing.Agent.Datastore;
using Routing.Agent.Datastore.Memory;
using Routing.Agent.Datastore.Store;
using Routing.Agent.Resources;

namespace Routing.Agent.Tests.Datastore;

/// <summary>The agent's resources from a store (here the in-memory one; etcd runs in the node tests): read, followed, and a bad change refused.</summary>
public sealed class StoreResourceSourceTests : IAsyncDisposable
{
    private const string BgpConfiguration = """{"apiVersion":"routing.dev/v1","kind":"BGPConfiguration","metadata":{"name":"default"},"spec":{"asNumber":64512}}""";
    private readonly MemoryResourceStore store = new();

    public async ValueTask DisposeAsync() => await store.DisposeAsync();

    private static string Node(string name, string address) =>
        $$$"""{"apiVersion":"routing.dev/v1","kind":"RoutingNode","metadata":{"name":"{{{name}}}"},"spec":{"ipv4Address":"{{{address}}}"}}""";

    private static async Task<ResourceSet> NextAsync(StoreResourceSource source)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        return await source.Updates.ReadAsync(timeout.Token);
    }

    [Fact]
    public async Task The_stored_resources_are_read_and_every_change_brings_a_new_set()
    {
        await store.CreateAsync(ResourceKey.ClusterScoped("BGPConfiguration", "default"), BgpConfiguration);
        await store.CreateAsync(ResourceKey.ClusterScoped("RoutingNode", "node1"), Node("node1", "10.0.0.1/24"));
        await using var source = await StoreResourceSource.OpenAsync(store, "memory");

        Assert.Equal(64512u, source.Current.GlobalBgpConfiguration.AsNumber);
        Assert.Equal(["node1"], source.Current.Nodes.Select(n => n.Name));
        Assert.Same(source.Current, await NextAsync(source));

        await store.CreateAsync(ResourceKey.ClusterScoped("RoutingNode", "node2"), Node("node2", "10.0.0.2/24"));
        var next = await NextAsync(source);
        Assert.Equal(["node1", "node2"], next.Nodes.Select(n => n.Name).Order(StringComparer.Ordinal));

        Assert.True(await store.DeleteAsync(ResourceKey.ClusterScoped("RoutingNode", "node1")));
        Assert.Equal(["node2"], (await NextAsync(source)).Nodes.Select(n => n.Name));
    }

    [Fact]
    public async Task A_bad_resource_is_reported_by_name_and_the_last_good_set_stays_in_force()
    {
        await store.CreateAsync(ResourceKey.ClusterScoped("RoutingNode", "node1"), Node("node1", "10.0.0.1/24"));
        await using var source = await StoreResourceSource.OpenAsync(store, "memory");
        await NextAsync(source);
        var rejected = new TaskCompletionSource<ResourceSetRejectedEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        source.Rejected += (_, e) => rejected.TrySetResult(e);

        await store.CreateAsync(ResourceKey.ClusterScoped("RoutingNode", "node2"), Node("node2", "not-an-address"));

        var refusal = await rejected.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Contains("RoutingNode/node2", refusal.Error.Message, StringComparison.Ordinal);
        Assert.Contains("ipv4Address", refusal.Error.Message, StringComparison.Ordinal);
        Assert.Equal(["node1"], source.Current.Nodes.Select(n => n.Name));
        Assert.False(source.Updates.TryRead(out _));
    }

    [Fact]
    public async Task Opening_over_bad_resources_fails_naming_them()
    {
        await store.CreateAsync(ResourceKey.ClusterScoped("BGPPeer", "tor"), """{"apiVersion":"routing.dev/v1","kind":"BGPPeer","metadata":{"name":"tor"},"spec":{"peerIP":"10.0.0.254","asNumber":"many"}}""");

        var error = await Assert.ThrowsAsync<ResourceValidationException>(() => StoreResourceSource.OpenAsync(store, "memory"));

        Assert.Contains("BGPPeer/tor", error.Message, StringComparison.Ordinal);
        Assert.Contains("asNumber", error.Message, StringComparison.Ordinal);
    }
}
