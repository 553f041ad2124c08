using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Routing.Agent.Datastore.Store;
using Routing.Agent.PodRoutes;
using Routing.Dataplane;
using Routing.Ipam.Blocks;
using Routing.Ipam.Serialization;

namespace Routing.Agent.Node;

public sealed partial class NodeAgent
{
    private IReadOnlyList<LocalPod> pods = [];
    private readonly Channel<bool> podsChanged = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    /// <summary>This node's pods, from the IPAM allocations made for them (see <see cref="LocalPod"/>).</summary>
    public IReadOnlyList<LocalPod> Pods => Volatile.Read(ref pods);

    private IReadOnlyList<LocalPod> PodsIn(StoredResource block) =>
        LocalPod.From([IpamDocuments.Deserialize<AllocationBlock>(block.Json)], nodeName);

    private void PublishPods(Dictionary<string, IReadOnlyList<LocalPod>> byBlock)
    {
        IReadOnlyList<LocalPod> now = [.. byBlock.Values.SelectMany(p => p).OrderBy(p => p.Address.ToString(), StringComparer.Ordinal)];
        if (now.SequenceEqual(Volatile.Read(ref pods)))
        {
            return;
        }

        Volatile.Write(ref pods, now);
        podsChanged.Writer.TryWrite(true);
    }

    // The pods' veths come and go with the CNI's ADD and DEL, without a datastore change: the links
    // are looked at again every second (a veth found, or gone, or replaced under the same name).
    private async Task ProgramPodRoutesAsync(CancellationToken cancellationToken)
    {
        if (podRoutes is null || routeTable is null)
        {
            return;
        }

        podRoutes.Use(routeTable);
        using var kernel = Rtnetlink.Open();
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var links = kernel.Links.List().GroupBy(l => l.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().Index, StringComparer.Ordinal);
                var routes = PodRouteSet.Desired(Volatile.Read(ref pods), links);
                if (podRoutes.Set(routes))
                {
                    Log.PodRoutes(logger, routes.Count);
                }
            }
            catch (Exception e) when (e is Dataplane.Netlink.NetlinkException or IOException)
            {
                Log.LinksUnreadable(logger, e.Message);
            }

            using var tick = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            tick.CancelAfter(options.PodLinkInterval);
            try
            {
                await podsChanged.Reader.ReadAsync(tick.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 205, Level = LogLevel.Information, Message = "Routes to this node's pods: {Count}")]
        public static partial void PodRoutes(ILogger logger, int count);

        [LoggerMessage(EventId = 206, Level = LogLevel.Warning, Message = "Could not list the node's links for the pod routes, trying again: {Reason}")]
        public static partial void LinksUnreadable(ILogger logger, string reason);
    }
}
