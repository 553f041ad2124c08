using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Routing.Agent.Services.Proxy;

namespace Routing.Agent.Services.HealthChecks;

/// <summary>
/// The health-check node ports of the node's eTP Local services (kube-proxy's healthcheck server):
/// after each write of the service proxy, a server is started for each new
/// <c>spec.healthCheckNodePort</c>, stopped for each gone, and the others answer the new count of
/// local endpoints. A port that cannot be opened (in use) is tried again after a while.
/// </summary>
public sealed partial class HealthCheckNodePorts : IAsyncDisposable
{
    private readonly ServiceProxy proxy;
    private readonly ILoggerFactory loggerFactory;
    private readonly ILogger logger;
    private readonly Func<IPEndPoint, Socket>? bind;
    private readonly TimeSpan retryDelay;
    private readonly Channel<bool> wakeups = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly Dictionary<int, HealthCheckNodePortServer> servers = [];
    private readonly CancellationTokenSource stopping = new();
    private readonly Task running;
    private IReadOnlyList<ServiceHealthCheck> serving = [];
    private readonly HashSet<HealthCheckPortConflict> reported = [];

    private HealthCheckNodePorts(ServiceProxy proxy, ILoggerFactory loggerFactory, Func<IPEndPoint, Socket>? bind, TimeSpan retryDelay)
    {
        this.proxy = proxy;
        this.loggerFactory = loggerFactory;
        this.bind = bind;
        this.retryDelay = retryDelay;
        logger = loggerFactory.CreateLogger<HealthCheckNodePorts>();
        proxy.Applied += (_, _) => Wake();
        running = Task.Run(() => RunAsync(stopping.Token));
        Wake();
    }

    /// <summary>The checks answered now, by port.</summary>
    public IReadOnlyList<ServiceHealthCheck> Serving => Volatile.Read(ref serving);

    /// <summary>
    /// Follows <paramref name="proxy"/>'s writes until disposed; <paramref name="bind"/>, when given,
    /// makes the bound listening sockets (a test's namespace), else they are opened here.
    /// </summary>
    public static HealthCheckNodePorts Follow(ServiceProxy proxy, ILoggerFactory loggerFactory, Func<IPEndPoint, Socket>? bind = null, TimeSpan? retryDelay = null)
    {
        ArgumentNullException.ThrowIfNull(proxy);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        return new HealthCheckNodePorts(proxy, loggerFactory, bind, retryDelay ?? TimeSpan.FromSeconds(5));
    }

    private void Wake() => wakeups.Writer.TryWrite(true);

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var wakeup in wakeups.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                var written = proxy.Written;
                var wanted = ServiceHealthCheck.Of(written.Services, written.Slices, proxy.Options.NodeName);
                foreach (var conflict in ServiceHealthCheck.Conflicts(written.Services).Where(reported.Add))
                {
                    Log.PortTaken(logger, conflict.Port, conflict.Refused, conflict.Served);
                }

                if (!await ReconcileAsync(wanted).ConfigureAwait(false))
                {
                    _ = Task.Delay(retryDelay, cancellationToken).ContinueWith(_ => Wake(), CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    // True when every wanted port is served.
    private async Task<bool> ReconcileAsync(IReadOnlyList<ServiceHealthCheck> wanted)
    {
        var byPort = wanted.ToDictionary(c => c.Port);
        var closing = servers.Where(s => !byPort.ContainsKey(s.Key)).ToArray();
        foreach (var (port, _) in closing)
        {
            servers.Remove(port);
        }

        // What is served is told before a port closes: whoever finds it closed finds it gone here too.
        Publish();
        foreach (var (port, server) in closing)
        {
            await server.DisposeAsync().ConfigureAwait(false);
            Log.Closed(logger, port);
        }

        var complete = true;
        foreach (var check in wanted)
        {
            if (servers.TryGetValue(check.Port, out var server))
            {
                server.Check = check;
                continue;
            }

            try
            {
                servers[check.Port] = await HealthCheckNodePortServer.StartAsync(check, proxy.Options.NodeAddresses, bind, loggerFactory).ConfigureAwait(false);
                Log.Opened(logger, check.Port, check.Namespace, check.Name);
            }
            catch (Exception e) when (e is IOException or SocketException or InvalidOperationException)
            {
                Log.NotOpened(logger, check.Port, check.Namespace, check.Name, e.Message);
                complete = false;
            }
        }

        Publish();
        return complete;
    }

    private void Publish() => Volatile.Write(ref serving, [.. servers.Values.Select(s => s.Check).OrderBy(c => c.Port)]);

    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync().ConfigureAwait(false);
        await running.ConfigureAwait(false);
        foreach (var server in servers.Values)
        {
            await server.DisposeAsync().ConfigureAwait(false);
        }

        servers.Clear();
        stopping.Dispose();
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 620, Level = LogLevel.Information, Message = "Health-check node port {Port} open for service {Namespace}/{Name}")]
        public static partial void Opened(ILogger logger, int port, string @namespace, string name);

        [LoggerMessage(EventId = 621, Level = LogLevel.Information, Message = "Health-check node port {Port} closed")]
        public static partial void Closed(ILogger logger, int port);

        [LoggerMessage(EventId = 623, Level = LogLevel.Warning, Message = "Health-check node port {Port} of service {Refused} is not served: service {Served} has the same port")]
        public static partial void PortTaken(ILogger logger, int port, string refused, string served);

        [LoggerMessage(EventId = 622, Level = LogLevel.Warning, Message = "Health-check node port {Port} of service {Namespace}/{Name} could not be opened, trying again: {Reason}")]
        public static partial void NotOpened(ILogger logger, int port, string @namespace, string name, string reason);
    }
}
