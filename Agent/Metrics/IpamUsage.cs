using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Routing.Ipam.Store;
using Routing.Ipam.Summary;

namespace Routing.Agent.Metrics;

/// <summary>
/// IPAM utilisation for the metrics: a summary of the datastore's pools and blocks, read again every
/// <paramref name="interval"/> (a scrape reads the last one; it never waits on the datastore).
/// </summary>
public sealed partial class IpamUsage(IIpamStore store, string nodeName, TimeSpan interval, ILogger logger)
{
    private IpamSummary? summary;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(interval);
        do
        {
            try
            {
                Volatile.Write(ref summary, await IpamSummary.BuildAsync(store, cancellationToken).ConfigureAwait(false));
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                Log.Unreadable(logger, e.Message);
            }
        }
        while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false));
    }

    internal IEnumerable<Measurement<double>> Node(Func<NodeUsage, double> value) =>
        Volatile.Read(ref summary)?.Nodes.Where(n => n.Node == nodeName).Select(n => new Measurement<double>(value(n), new KeyValuePair<string, object?>("pool", n.Pool))) ?? [];

    internal IEnumerable<Measurement<double>> Pools(Func<PoolUsage, double> value) =>
        Volatile.Read(ref summary)?.Pools.Select(p => new Measurement<double>(value(p), new KeyValuePair<string, object?>("pool", p.Name))) ?? [];

    private static partial class Log
    {
        [LoggerMessage(EventId = 400, Level = LogLevel.Warning, Message = "IPAM metrics not refreshed: {Reason}")]
        public static partial void Unreadable(ILogger logger, string reason);
    }
}
