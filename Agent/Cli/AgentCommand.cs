using System.CommandLine;
using System.Net;
using Microsoft.Extensions.Logging;
using Routing.Agent.Api;
using Routing.Agent.Datastore;
using Routing.Agent.Datastore.Store;
using Routing.Agent.Dns;
using Routing.Agent.Health;
using Routing.Agent.Ipam;
using Routing.Agent.Metrics;
using Routing.Agent.Node;
using Routing.Agent.Peering;
using Routing.Agent.PodRoutes;
using Routing.Agent.PolicyRules;
using Routing.Agent.Resources;
using Routing.Agent.Routes;
using Routing.Agent.Services.HealthChecks;
using Routing.Agent.Services.Proxy;
using Routing.Agent.Tunnels;
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
        var serviceProxy = new Option<bool>("--service-proxy") { Description = "Be the node's service proxy: Services and EndpointSlices into iptables nat rules, like kube-proxy's iptables mode" };
        var clusterCidr = new Option<string?>("--cluster-cidr") { Description = "The pods' IPv4 range (e.g. 10.244.0.0/16): traffic to cluster IPs from elsewhere is masqueraded" };
        var metrics = new Option<string>("--metrics")
        {
            Description = "Serve /livez, /readyz and Prometheus /metrics over HTTP on this address:port (e.g. 127.0.0.1:9091); off when empty",
            DefaultValueFactory = _ => string.Empty,
        };
        var command = new Command("agent", "Run the node agent: BGP speaker, route programming, IPAM, policy") { node, datastore, socket, logLevel, noKernelRoutes, initialSync, metrics, serviceProxy, clusterCidr, policy };
        var dns = DnsOptions.AddTo(command);
        command.SetAction((parse, cancellationToken) => RunAsync(
            parse.GetValue(node)!,
            parse.GetValue(datastore)!,
            parse.GetValue(socket)!,
            parse.GetValue(logLevel),
            new AgentSettings(!parse.GetValue(noKernelRoutes), new NodeAgentOptions { InitialSyncTimeout = TimeSpan.FromSeconds(Math.Max(0, parse.GetValue(initialSync))) })
            {
                Metrics = parse.GetValue(metrics)!,
                ServiceProxy = parse.GetValue(serviceProxy),
                ClusterCidr = parse.GetValue(clusterCidr),
                Dns = dns.Read(parse),
                Policy = parse.GetValue(policy),
            },
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

        IPEndPoint? metricsEndpoint = null;
        if (settings.Metrics.Length > 0 && !IPEndPoint.TryParse(settings.Metrics, out metricsEndpoint))
        {
            await error.WriteLineAsync($"--metrics: '{settings.Metrics}' is not an address:port (e.g. 127.0.0.1:9091)").ConfigureAwait(false);
            return 2;
        }

        using var loggerFactory = LoggerFactory.Create(logging => logging
            .SetMinimumLevel(level)
            // Kestrel's request logs and the health checks' "unhealthy" errors would log every probe.
            .AddFilter("Microsoft.AspNetCore", LogLevel.Warning)
            .AddFilter("Microsoft.Extensions.Diagnostics.HealthChecks", LogLevel.None)
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
                var podRoutes = new PodRouteSet();
                using var routeTable = settings.KernelRoutes ? RouteTable.Open(options: new RouteTableOptions { LeaveAlone = podRoutes.LeavesAlone }, logger: loggerFactory.CreateLogger<RouteTable>()) : null;
                var bgp = new BgpService(nodeName, loggerFactory);
                await using (bgp.ConfigureAwait(false))
                {
                    // The node's blocks are read from the store itself, after each change its watch reports
                    // (the IPAM cache follows the same watch, and might not have caught up yet).
                    var services = settings.ServiceProxy ? await ServiceProxySetup.CreateAsync(nodeName, settings.ClusterCidr, records, loggerFactory, cancellationToken).ConfigureAwait(false) : null;
                    // eTP Local services' spec.healthCheckNodePort, answered after each write of the proxy.
                    await using var healthChecks = services is null ? null : HealthCheckNodePorts.Follow(services, loggerFactory);
                    var node = new NodeAgent(nodeName, store, records, new ResourceIpamStore(records), bgp, routeTable, settings.Node, loggerFactory.CreateLogger<NodeAgent>(), services, podRoutes);
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
                    var health = AgentHealthFor(node, bgp, routeTable);
                    if (services is not null)
                    {
                        var proxy = new ApplyReadiness("waiting for the first sync of services and endpoints");
                        services.Applied += (_, applied) => proxy.Applied($"{applied.Services} service(s) programmed; last apply wrote {applied.ChainsWritten} chain(s) in {applied.Took.TotalMilliseconds:0} ms");
                        health.Add("service-proxy", proxy.Condition);
                    }

                    var ipamUsage = new IpamUsage(new ResourceIpamStore(records), nodeName, TimeSpan.FromSeconds(15), loggerFactory.CreateLogger<IpamUsage>());
                    using var metrics = new AgentMetrics(bgp, health, ipamUsage);
                    if (routeTable is not null)
                    {
                        metrics.Follow(routeTable);
                    }

                    using var exposition = new PrometheusExposition(metrics.Meter);
                    var api = await ApiServer.StartAsync(socketPath, new AgentApi(bgp, ipam, health), loggerFactory).ConfigureAwait(false);
                    await using (api.ConfigureAwait(false))
                    {
                        var running = new RunningAgent(nodeName, socketPath, settings, metricsEndpoint, store, records, node, health, exposition, ipamUsage, loggerFactory, logger);
                        if (await ServeAsync(running, error, cancellationToken).ConfigureAwait(false) is var exit && exit != 0)
                        {
                            return exit;
                        }

                        // Kernel routes stay as they are: traffic keeps flowing while the agent is
                        // away, and the next start adopts them.
                        Log.Stopping(logger, nodeName);
                    }
                }
            }
        }

        return 0;
    }

    /// <summary>What makes this agent ready: the datastore, the kernel routes (when it programs them), BGP.</summary>
    private static AgentHealth AgentHealthFor(NodeAgent node, BgpService bgp, RouteTable? routeTable)
    {
        var health = new AgentHealth();
        health.Add("datastore", node.DatastoreCondition);
        if (routeTable is not null)
        {
            var kernel = new KernelRoutesReadiness(routeTable, () => node.KernelSyncStarted);
            health.Add("kernel-routes", kernel.Condition);
        }
        else
        {
            health.Add("kernel-routes", () => HealthCondition.Up("off (--no-kernel-routes)"));
        }

        health.Add("bgp", () => BgpReadiness.Of(bgp));
        return health;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Routing agent ready on node {Node}: resources from {Path}, API on {Socket}")]
        public static partial void Ready(ILogger logger, string node, string path, string socket);

        [LoggerMessage(EventId = 2, Level = LogLevel.Error, Message = "Configuration not applied, the previous one stays in force: {Reason}")]
        public static partial void Rejected(ILogger logger, string reason);

        [LoggerMessage(EventId = 4, Level = LogLevel.Information, Message = "Health (/livez, /readyz) and metrics (/metrics) on http://{Endpoint}")]
        public static partial void Serving(ILogger logger, IPEndPoint endpoint);

        [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "Routing agent on node {Node} stopping: BGP sessions end with a Cease")]
        public static partial void Stopping(ILogger logger, string node);
    }

    /// <summary>What the agent does besides BGP and IPAM.</summary>
    public sealed record AgentSettings(bool KernelRoutes, NodeAgentOptions Node)
    {
        /// <summary>address:port of the health and metrics listener; empty for none.</summary>
        public string Metrics { get; init; } = string.Empty;

        public bool ServiceProxy { get; init; }

        public string? ClusterCidr { get; init; }

        /// <summary>The cluster DNS server, or null for none.</summary>
        public DnsSettings? Dns { get; init; }

        /// <summary>Enforce NetworkPolicy and GlobalNetworkPolicy on this node's pods.</summary>
        public bool Policy { get; init; }
    }
}
