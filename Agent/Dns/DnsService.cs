using Microsoft.Extensions.Logging;
using Routing.Agent.Datastore.Store;
using Routing.Agent.Dns.Cluster;
using Routing.Agent.Dns.Server;
using Routing.Agent.Dns.Zone;

namespace Routing.Agent.Dns;

/// <summary>
/// Cluster DNS in the agent: follows Services, EndpointSlices and Pods in the datastore, calculates
/// the zone after each burst of changes, and hands it whole to the <see cref="DnsServer"/>.
/// </summary>
public sealed partial class DnsService : IAsyncDisposable
{
    private readonly DnsSettings settings;
    private readonly ClusterNamesFollower follower;
    private readonly ILogger logger;
    private readonly CancellationTokenSource stopping = new();
    private readonly Task running;

    private DnsService(DnsSettings settings, DnsServer server, IResourceStore store, ILogger logger)
    {
        this.settings = settings;
        this.logger = logger;
        Server = server;
        follower = new ClusterNamesFollower(store, TimeSpan.FromSeconds(1));
        follower.Failed += (_, e) => Log.Unreadable(logger, e.Message);
        running = Task.Run(() => RunAsync(stopping.Token));
    }

    public DnsServer Server { get; }

    /// <summary>Starts serving at once (an empty zone until the datastore is listed; other names are forwarded meanwhile).</summary>
    public static DnsService Start(DnsSettings settings, IResourceStore store, ILoggerFactory loggerFactory, SocketFactory? sockets = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        var zoneOptions = settings.Zone.Normalized() with { NameServerAddress = settings.Zone.NameServerAddress ?? settings.Listen.Address };
        settings = settings with { Zone = zoneOptions };
        var logger = loggerFactory.CreateLogger<DnsService>();
        var options = new DnsServerOptions
        {
            Listen = settings.Listen,
            Upstreams = ResolvConf.Read(settings.ResolvConf, settings.Listen.Address),
        };
        if (sockets is not null)
        {
            options = options with { SocketFactory = sockets };
        }

        var server = DnsServer.Start(options, ClusterZone.Build(ClusterNames.Empty, zoneOptions), logger);
        return new DnsService(settings, server, store, logger);
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        var following = follower.RunAsync(cancellationToken);
        try
        {
            await foreach (var _ in follower.Changes.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                // A burst of changes (a list, a rollout) makes one zone.
                await Task.Delay(TimeSpan.FromMilliseconds(50), cancellationToken).ConfigureAwait(false);
                var read = follower.Read();
                foreach (var problem in read.Problems)
                {
                    Log.Skipped(logger, problem);
                }

                var zone = ClusterZone.Build(read.Names, settings.Zone);
                Server.Zone = zone;
                Log.ZoneUpdated(logger, read.Names.Services.Count, read.Names.Pods.Count, zone.Names);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }

        try
        {
            await following.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync().ConfigureAwait(false);
        await running.ConfigureAwait(false);
        await Server.DisposeAsync().ConfigureAwait(false);
        stopping.Dispose();
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 710, Level = LogLevel.Information, Message = "Cluster DNS zone: {Services} services, {Pods} pods, {Names} names")]
        public static partial void ZoneUpdated(ILogger logger, int services, int pods, int names);

        [LoggerMessage(EventId = 711, Level = LogLevel.Warning, Message = "Cluster DNS left a document out: {Problem}")]
        public static partial void Skipped(ILogger logger, string problem);

        [LoggerMessage(EventId = 712, Level = LogLevel.Warning, Message = "Cluster DNS could not read the datastore, trying again: {Reason}")]
        public static partial void Unreadable(ILogger logger, string reason);
    }
}
