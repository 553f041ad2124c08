using System.CommandLine;
using Microsoft.Extensions.Logging;
using Routing.Agent.Api;
using Routing.Agent.Datastore;
using Routing.Agent.Ipam;
using Routing.Agent.Peering;
using Routing.Agent.Resources;

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
        var command = new Command("agent", "Run the node agent: BGP speaker, route programming, IPAM, policy") { node, datastore, socket, logLevel };
        command.SetAction((parse, cancellationToken) => RunAsync(
            parse.GetValue(node)!, parse.GetValue(datastore)!, parse.GetValue(socket)!, parse.GetValue(logLevel), parse.InvocationConfiguration.Error, cancellationToken));
        return command;
    }

    public static async Task<int> RunAsync(string nodeName, string datastore, string socketPath, LogLevel level, TextWriter error, CancellationToken cancellationToken)
    {
        if (!DatastoreUri.TryParse(datastore, out var uri, out var problem))
        {
            await error.WriteLineAsync($"--datastore: {problem}").ConfigureAwait(false);
            return 2;
        }

        // The Kubernetes store exists (KubernetesResourceStore), but the agent's calculation still
        // reads one ResourceSet from a file; watching a store comes with the agent's watchers.
        if (uri.Kind != DatastoreKind.File)
        {
            await error.WriteLineAsync($"--datastore: the agent does not yet run from {uri} (it reads file:PATH for now)").ConfigureAwait(false);
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

        FileDatastore store;
        BgpPlan plan;
        try
        {
            store = FileDatastore.Open(uri);
            plan = BgpPlan.Calculate(store.Current, nodeName);
        }
        catch (Exception e) when (e is ResourceValidationException or PlanException or IOException)
        {
            await error.WriteLineAsync(e.Message).ConfigureAwait(false);
            return 1;
        }

        // IPAM records live in the same datastore (for file:PATH, in the journal beside the file).
        var records = ResourceStores.Open(uri);
        await using (records.ConfigureAwait(false))
        await using (store.ConfigureAwait(false))
        {
            // Pools, reservations and affinities from memory, kept fresh by the datastore's watch.
            var ipamStore = new WatchedIpamStore(records);
            await using var ipamStoreScope = ipamStore.ConfigureAwait(false);
            var ipam = new IpamService(nodeName, ipamStore, () => store.Current);
            var bgp = new BgpService(nodeName, loggerFactory);
            await using (bgp.ConfigureAwait(false))
            {
                await bgp.ApplyAsync(plan).ConfigureAwait(false);
                var api = await ApiServer.StartAsync(socketPath, new AgentApi(bgp, ipam), loggerFactory).ConfigureAwait(false);
                await using (api.ConfigureAwait(false))
                {
                    store.Rejected += (_, rejected) => Log.Rejected(logger, rejected.Error.Message);
                    Log.Ready(logger, nodeName, store.Path, socketPath);
                    try
                    {
                        await foreach (var resources in store.Updates.ReadAllAsync(cancellationToken).ConfigureAwait(false))
                        {
                            try
                            {
                                await bgp.ApplyAsync(BgpPlan.Calculate(resources, nodeName)).ConfigureAwait(false);
                            }
                            catch (PlanException e)
                            {
                                Log.Rejected(logger, e.Message);
                            }
                        }
                    }
                    catch (OperationCanceledException)
                    {
                    }

                    Log.Stopping(logger, nodeName);
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
}
