using Routing.Agent.Datastore.Etcd;
using Routing.Agent.Ipam;
using Routing.Agent.Tests.Datastore.Etcd;

namespace Routing.Agent.Tests.Ipam;

/// <summary>
/// One test's etcd clients, as on a cluster: plain ones (an admin, the CLI) and nodes' stores as the
/// agent opens them (pools, reservations and affinities from memory, kept fresh by the watch);
/// all disposed with the test.
/// </summary>
internal sealed class EtcdIpamClients(EtcdFixture etcd) : IAsyncDisposable
{
    private readonly List<EtcdResourceStore> clients = [];
    private readonly List<WatchedIpamStore> nodes = [];

    /// <summary>One etcd serves a test class: each test starts from an empty IPAM state.</summary>
    public static async Task WipeAsync(EtcdFixture etcd)
    {
        var wipe = await etcd.Etcd.EtcdctlAsync("del", "--prefix", "/routing/");
        Assert.True(wipe.Succeeded, wipe.ToString());
    }

    public ResourceIpamStore Client() => new(NewClient());

    public WatchedIpamStore Node()
    {
        var node = new WatchedIpamStore(NewClient());
        nodes.Add(node);
        return node;
    }

    private EtcdResourceStore NewClient()
    {
        var client = new EtcdResourceStore([etcd.Endpoint]);
        clients.Add(client);
        return client;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in nodes)
        {
            await node.DisposeAsync();
        }

        foreach (var client in clients)
        {
            await client.DisposeAsync();
        }
    }
}
