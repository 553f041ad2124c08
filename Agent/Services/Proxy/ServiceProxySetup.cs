using Microsoft.Extensions.Logging;
using Routing.Agent.Datastore.Store;
using Routing.Dataplane.Commands;
using Routing.Dataplane.Iptables;

namespace Routing.Agent.Services.Proxy;

/// <summary>The agent's service proxy, in the agent's own network namespace, on the iptables backend the node uses.</summary>
public static class ServiceProxySetup
{
    public static async Task<ServiceProxy> CreateAsync(string nodeName, string? clusterCidr, IResourceStore store, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(loggers);
        var runner = new ProcessCommandRunner();
        var backend = await IptablesBackendDetector.DetectAsync(runner, cancellationToken).ConfigureAwait(false);
        return new ServiceProxy(
            new ServiceProxyOptions { NodeName = nodeName, ClusterCidrV4 = clusterCidr, Backend = backend },
            store,
            runner,
            loggers.CreateLogger<ServiceProxy>());
    }
}
