using Routing.TestKit.Daemons;

namespace Routing.Agent.Tests.Datastore.Etcd;

/// <summary>One real etcd on the host's loopback (free ports, data in the test run's directory) for a test class.</summary>
public class EtcdFixture : IAsyncLifetime
{
    private EtcdDaemon? etcd;

    public EtcdDaemon Etcd => etcd ?? throw new InvalidOperationException("etcd starts in InitializeAsync");

    /// <summary>The client URL without its trailing slash, as a datastore URI writes it.</summary>
    public string Endpoint => Etcd.ClientUrl.ToString().TrimEnd('/');

    /// <summary>More etcd flags for a derived fixture.</summary>
    protected virtual IEnumerable<string> ExtraArguments => [];

    public async Task InitializeAsync() => etcd = await EtcdDaemon.StartAsync(extraArguments: ExtraArguments);

    public async Task DisposeAsync()
    {
        if (etcd is not null)
        {
            await etcd.DisposeAsync();
        }
    }
}
