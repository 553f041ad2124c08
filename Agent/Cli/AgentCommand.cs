using System.CommandLine;
using Microsoft.Extensions.Logging;
using Routing.Agent.Api;
using Routing.Agent.Datastore;
using Routing.Agent.Datastore.Store;
using Routing.Agent.Ipam;
using Routing.Agent.Node;
using Routing.Agent.Peering;
using Routing.Agent.PolicyRules;
using Routing.Agent.Resources;
using Routing.Agent.Routes;
using Routing.Dataplane.Routes;

namespace Routing.Agent.Cli;

/// <summary><c>routing agent --node NAME --datastore URI</c>: the node daemon.</summary>
internal static partial class AgentCommand
{
    public static Command Create()
    {
        var node = new Option<string>("--node") { Description = "This node's name (its RoutingNode resource)", Required = true };
        var datastore = new Option<string>("--datastore") { Description = "Where the cluster's resources are: file:PATH, etcd:http://HOST:PORT or kubernetes", Required = true };
        var socket = new Option<string>("--api-socket") { Description = "Unix socket for the agent's API", DefaultValueFactory = _ => ApiServer.DefaultSocket };
        var logLevel = new Option<LogLevel>("--log-level") { Description = "Least severe log level shown", DefaultValueFactory = _ => LogLevel.Information };
        var noKernelRoutes = new Option<bool>("--no-kernel-routes") { Description = "Do not program routes into the kernel: BGP and IPAM only (a route server, or benchmarking the speaker)" };
        var initialSync = new Option<int>("--initial-sync-timeout")
        {
            Description = "Seconds a starting agent waits for its peers' tables before it removes kernel routes it no longer wants",
            DefaultValueFactory = _ => 30,
        };
        var policy = new Option<bool>("--policy") { Description = "Enforce NetworkPolicy and GlobalNetworkPolicy on this node's pods (the datastore's Pods with spec.nodeName = --node)" };
        var command = new Command("agent", "Run the node agent: BGP speaker, route programming, IPAM, policy") { node, datastore, socket, logLevel, noKernelRoutes, initialSync, policy };
        command.SetAction((parse, cancellationToken) => RunAsync(
            parse.GetValue(node)!,
            parse.GetValue(datastore)!,
            parse.GetValue(socket)!,
            parse.GetValue(logLevel),
            new AgentSettings(!parse.GetValue(noKernelRoutes), new NodeAgentOptions { InitialSyncTimeout = TimeSpan.FromSeconds(Math.Max(0, parse.GetValue(initialSync))) }, parse.GetValue(policy)),
            parse.InvocationConfiguration.Error,
            cancellationToken));
        return command;
    }

    public static async Task<int> RunAsync(string nodeName, string datastore, string socketPath, LogLevel level, AgentSettings settings, TextWriter error, CancellationToken cancellationToken)
    {
        if (!DatastoreUri.TryParse(datastore, out var uri, out var problem))
        {
            await error.WriteLineAsync($"--datastore: {problem}").ConfigureAwait(false);
            return 2;
        }

        using var loggerFactory = LoggerFactory.Create(logging => logging
            .SetMinimumLevel(level)
            .AddSimpleConsole(console =>
            {
                console.SingleLine = true;
                console.TimestampFormat = "yyyy-MM-dd HH:mm:ss.fff ";
            }));
        var logger = loggerFactory.CreateLogger("Routing.Agent");

        // The agent's resources, and IPAM's records, from the same datastore (for file:PATH, the
        // IPAM records live in the journal beside the file).
        var records = ResourceStores.Open(uri);
        await using (records.ConfigureAwait(false))
        {
            IResourceSource store;
            BgpPlan plan;
            try
            {
                store = uri.Kind == DatastoreKind.File
                    ? FileDatastore.Open(uri)
                    : await StoreResourceSource.OpenAsync(records, uri.ToString(), cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is ResourceValidationException or IOException or ResourceStoreException)
            {
                await error.WriteLineAsync(e.Message).ConfigureAwait(false);
                return 1;
            }

            await using (store.ConfigureAwait(false))
            {
                // Pools, reservations and affinities from memory, kept fresh by the datastore's watch.
                var ipamStore = new WatchedIpamStore(records);
                await using var ipamStoreScope = ipamStore.ConfigureAwait(false);
                var ipam = new IpamService(nodeName, ipamStore, () => store.Current);
                // The agent runs in the node's network namespace: its routes go into that kernel.
                using var routeTable = settings.KernelRoutes ? RouteTable.Open(options: new RouteTableOptions { LeaveAlone = KernelRoutes.IsPodRoute }, logger: loggerFactory.CreateLogger<RouteTable>()) : null;
                var bgp = new BgpService(nodeName, loggerFactory);
                await using (bgp.ConfigureAwait(false))
                {
                    // The node's blocks are read from the store itself, after each change its watch reports
                    // (the IPAM cache follows the same watch, and might not have caught up yet).
                    var node = new NodeAgent(nodeName, store, records, new ResourceIpamStore(records), bgp, routeTable, settings.Node, loggerFactory.CreateLogger<NodeAgent>());
                    try
                    {
                        plan = node.PlanFor(store.Current, []);
                    }
                    catch (PlanException e)
                    {
                        await error.WriteLineAsync(e.Message).ConfigureAwait(false);
                        return 1;
                    }

                    node.AttachToSpeakers();
                    await bgp.ApplyAsync(plan).ConfigureAwait(false);
                    var api = await ApiServer.StartAsync(socketPath, new AgentApi(bgp, ipam), loggerFactory).ConfigureAwait(false);
                    await using (api.ConfigureAwait(false))
                    {
                        store.Rejected += (_, rejected) => Log.Rejected(logger, rejected.Error.Message);
                        Log.Ready(logger, nodeName, store.Description, socketPath);
                        var policing = settings.Policy ? PolicyLoops.RunAsync(nodeName, records, loggerFactory, cancellationToken) : Task.CompletedTask;
                        await node.RunAsync(cancellationToken).ConfigureAwait(false);
                        await policing.ConfigureAwait(false);
                        // Kernel routes stay as they are: traffic keeps flowing while the agent is
                        // away, and the next start adopts them.
                        Log.Stopping(logger, nodeName);
                    }
                }
            }
        }

        return 0;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Routing agent ready on node {Node}: resources from {Path}, API on {Socket}")]
        public static partial void Ready(ILogger logger, string node, string path, string socket);

        [LoggerMessage(EventId = 2, Level = LogLevel.Error, Message = "Configuration not applied, the previous one stays in force: {Reason}")]
        public static partial void Rejected(ILogger logger, string reason);

        [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "Routing agent on node {Node} stopping: BGP sessions end with a Cease")]
        public static partial void Stopping(ILogger logger, string node);
    }

    /// <summary>What the agent does besides BGP and IPAM.</summary>
    public sealed record AgentSettings(bool KernelRoutes, NodeAgentOptions Node, bool Policy = false);
}
