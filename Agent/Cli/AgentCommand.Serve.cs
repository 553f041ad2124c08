using System.Net;
using Microsoft.Extensions.Logging;
using Routing.Agent.Datastore;
using Routing.Agent.Datastore.Store;
using Routing.Agent.Dns;
using Routing.Agent.Health;
using Routing.Agent.Ipam;
using Routing.Agent.Metrics;
using Routing.Agent.Node;
using Routing.Agent.PolicyRules;
using Routing.Agent.Tunnels;

namespace Routing.Agent.Cli;

internal static partial class AgentCommand
{
    /// <summary>
    /// Serves until <paramref name="cancellationToken"/> fires, once BGP and the API are up: cluster
    /// DNS and the health listener when asked for, then the node's loops. 0, or the exit status of a
    /// part that could not start.
    /// </summary>
    private static async Task<int> ServeAsync(RunningAgent agent, TextWriter error, CancellationToken cancellationToken)
    {
        var (settings, health, logger) = (agent.Settings, agent.Health, agent.Logger);
        DnsService? dnsService;
        try
        {
            dnsService = settings.Dns is { } dnsSettings ? DnsService.Start(dnsSettings, agent.Records, agent.LoggerFactory) : null;
        }
        catch (Dns.Server.DnsListenException e)
        {
            await error.WriteLineAsync(e.Message).ConfigureAwait(false);
            return 1;
        }

        await using var dnsScope = dnsService;
        if (dnsService is not null)
        {
            var serving = $"serving {settings.Dns!.Zone.Domain} on {dnsService.Server.EndPoint} (UDP and TCP)";
            health.Add("dns", () => HealthCondition.Up(serving));
        }

        var healthServer = agent.MetricsEndpoint is null ? null : await HealthServer.StartAsync(agent.MetricsEndpoint, health, agent.Exposition, agent.LoggerFactory).ConfigureAwait(false);
        try
        {
            agent.Store.Rejected += (_, rejected) => Log.Rejected(logger, rejected.Error.Message);
            Log.Ready(logger, agent.NodeName, agent.Store.Description, agent.SocketPath);
            if (healthServer is not null)
            {
                Log.Serving(logger, healthServer.Endpoint);
            }

            await RunLoopsAsync(agent, cancellationToken).ConfigureAwait(false);
            return 0;
        }
        finally
        {
            if (healthServer is not null)
            {
                await healthServer.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>The node's loop, its tunnels, and (when asked for) the policy loop and the IPAM metrics' refresh.</summary>
    private static async Task RunLoopsAsync(RunningAgent agent, CancellationToken cancellationToken)
    {
        var (nodeName, records, node, loggers) = (agent.NodeName, agent.Records, agent.Node, agent.LoggerFactory);
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var usage = agent.MetricsEndpoint is null ? Task.CompletedTask : Task.Run(() => agent.IpamUsage.RunAsync(stopping.Token), stopping.Token);
        PolicyLoop? policyLoop = null;
        if (agent.Settings.Policy)
        {
            agent.Health.Add("policy", () => PolicyReadiness.Of(Volatile.Read(ref policyLoop)));
        }

        var policing = agent.Settings.Policy ? PolicyLoops.RunAsync(nodeName, records, loggers, cancellationToken, loop => Volatile.Write(ref policyLoop, loop)) : Task.CompletedTask;
        using var tunnels = node.Kernel is { } kernel ? new TunnelAgent(nodeName, agent.Store, records, new ResourceIpamStore(records), kernel, new TunnelOptions(), loggers.CreateLogger<TunnelAgent>()) : null;
        await (tunnels?.StartAsync(node, cancellationToken) ?? Task.CompletedTask).ConfigureAwait(false);
        await Task.WhenAll(node.RunAsync(cancellationToken), tunnels?.RunAsync(cancellationToken) ?? Task.CompletedTask).ConfigureAwait(false);
        await policing.ConfigureAwait(false);
        await stopping.CancelAsync().ConfigureAwait(false);
        await usage.ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);
    }

    /// <summary>What a started agent is made of, for the parts that serve.</summary>
    private sealed record RunningAgent(
        string NodeName,
        string SocketPath,
        AgentSettings Settings,
        IPEndPoint? MetricsEndpoint,
        IResourceSource Store,
        IResourceStore Records,
        NodeAgent Node,
        AgentHealth Health,
        PrometheusExposition Exposition,
        IpamUsage IpamUsage,
        ILoggerFactory LoggerFactory,
        ILogger Logger);
}
