using System.Net;
using System.Net.NetworkInformation;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Routing.Agent.Datastore;
using Routing.Agent.Datastore.Store;
using Routing.Agent.NatOutgoing;
using Routing.Agent.Resources;
using Routing.Agent.Routes;
using Routing.Dataplane;
using Routing.Dataplane.Commands;
using Routing.Dataplane.Iptables;
using Routing.Dataplane.Links;
using Routing.Ipam.Blocks;
using Routing.Ipam.Store;

namespace Routing.Agent.Tunnels;

/// <summary>
/// The node's VXLAN and IPIP tunnels: on every change of the cluster's resources or of any node's
/// block affinities, and every <see cref="TunnelOptions.ResyncInterval"/> (to repair what was changed
/// behind its back), computes the <see cref="TunnelPlan"/>, makes sure this node has a VTEP address
/// and MAC published on its RoutingNode (<see cref="VtepPublisher"/>), applies the plan to the kernel
/// (<see cref="TunnelDataplane"/>) and hands the tunnel routes to <see cref="KernelRoutes"/>. The
/// pools' <c>natOutgoing</c> masquerade (<see cref="OutgoingNat"/>) follows the same pools here.
/// </summary>
public sealed partial class TunnelAgent(
    string nodeName,
    IResourceSource resources,
    IResourceStore records,
    IIpamStore ipam,
    KernelRoutes kernel,
    TunnelOptions options,
    ILogger logger) : IDisposable
{
    private readonly Channel<bool> wakeups = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly Rtnetlink netlink = Rtnetlink.Open();
    private readonly VtepPublisher publisher = new(nodeName, records, ipam, () => resources.Current, logger);
    private TunnelDataplane? dataplane;
    private OutgoingNat? outgoingNat;
    private string? natProblem;
    private string lastSummary = string.Empty;

    /// <summary>The plan applied last.</summary>
    public TunnelPlan Plan { get; private set; } = TunnelPlan.None;

    /// <summary>Asks for a new calculation (coalesced).</summary>
    public void Wake() => wakeups.Writer.TryWrite(true);

    /// <summary>One calculation and apply; call before the route table's first sync so a restart adopts the tunnel routes.</summary>
    public async Task ApplyAsync(CancellationToken cancellationToken)
    {
        var current = resources.Current;
        var pools = (await ipam.Pools.ListAsync(cancellationToken).ConfigureAwait(false)).Select(p => p.Value).ToArray();
        var affinities = (await ipam.Affinities.ListAsync(cancellationToken).ConfigureAwait(false)).Select(a => a.Value).ToArray();
        var plan = TunnelPlan.Calculate(nodeName, current.Nodes, pools, affinities);
        dataplane ??= new TunnelDataplane(netlink, logger);
        PhysicalAddress? mac = null;
        if (plan.Vxlan)
        {
            var vtep = await publisher.EnsureAsync(pools, dataplane.CurrentVxlanMac(), cancellationToken).ConfigureAwait(false);
            mac = vtep?.Mac;
            plan = plan with { TunnelAddress = vtep?.Address };
        }

        var routes = dataplane.Apply(plan, mac);
        kernel.SetTunnelRoutes(routes);
        await ApplyNatOutgoingAsync(NatOutgoingPlan.Calculate(pools), cancellationToken).ConfigureAwait(false);
        Plan = plan;
        var summary = $"{(plan.Vxlan ? $"VXLAN (VTEP {plan.TunnelAddress?.ToString() ?? "none"})" : "no VXLAN")}, {(plan.Ipip ? "IPIP" : "no IPIP")}, {routes.Count} tunnel routes, {plan.VxlanPeers.Count} VXLAN peers"
            + (plan.Waiting.IsEmpty ? string.Empty : $", waiting for the VTEP of {string.Join(", ", plan.Waiting)}");
        if (summary != lastSummary || dataplane.LastChanges > 0)
        {
            Log.Applied(logger, summary, dataplane.LastChanges);
            lastSummary = summary;
        }
    }

    /// <summary>
    /// Follows <paramref name="node"/>'s changes from now on, and applies once before its route table
    /// first syncs, so that a restarted agent keeps the tunnel routes it left rather than removing them
    /// for a moment. A failure here is logged; the loop tries again.
    /// </summary>
    public async Task StartAsync(Node.NodeAgent node, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(node);
        node.Applied += Wake;
        try
        {
            await ApplyAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Log.Failed(logger, e.Message);
        }
    }

    // natOutgoing shares the pools and this loop; its failure (no iptables, say) leaves the tunnels be.
    private async Task ApplyNatOutgoingAsync(NatOutgoingPlan plan, CancellationToken cancellationToken)
    {
        try
        {
            if (outgoingNat is null)
            {
                if (plan.IsEmpty)
                {
                    return;
                }

                var runner = new ProcessCommandRunner();
                outgoingNat = new OutgoingNat(runner, await IptablesBackendDetector.DetectAsync(runner, cancellationToken).ConfigureAwait(false));
            }

            await outgoingNat.ApplyAsync(plan, cancellationToken).ConfigureAwait(false);
            natProblem = null;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            if (natProblem != e.Message)
            {
                natProblem = e.Message;
                Log.NatFailed(logger, e.Message);
            }
        }
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var watching = Task.Run(() => FollowAffinitiesAsync(cancellationToken), cancellationToken);
        using var timer = new PeriodicTimer(options.ResyncInterval);
        var ticking = Task.Run(async () =>
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                Wake();
            }
        }, cancellationToken);
        try
        {
            await foreach (var _ in wakeups.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                try
                {
                    await ApplyAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    Log.Failed(logger, e.Message);
                    await Task.Delay(options.RetryDelay, cancellationToken).ConfigureAwait(false);
                    Wake();
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }

        foreach (var task in new[] { watching, ticking })
        {
            try
            {
                await task.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    // Any node's claim or release moves a remote block onto or off a tunnel.
    private async Task FollowAffinitiesAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var list = await records.ListAsync(ResourceKinds.BlockAffinity, cancellationToken).ConfigureAwait(false);
                Wake();
                await foreach (var _ in records.WatchAsync(ResourceKinds.BlockAffinity, list.Revision, cancellationToken).ConfigureAwait(false))
                {
                    Wake();
                }
            }
            catch (ResourceStoreException e) when (e.Error == ResourceStoreError.Expired)
            {
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                Log.Failed(logger, e.Message);
                await Task.Delay(options.RetryDelay, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    public void Dispose() => netlink.Dispose();

    private static partial class Log
    {
        [LoggerMessage(EventId = 410, Level = LogLevel.Information, Message = "Tunnels: {Summary}; {Changes} kernel changes")]
        public static partial void Applied(ILogger logger, string summary, int changes);

        [LoggerMessage(EventId = 412, Level = LogLevel.Error, Message = "natOutgoing: masquerade not applied, trying again: {Reason}")]
        public static partial void NatFailed(ILogger logger, string reason);

        [LoggerMessage(EventId = 411, Level = LogLevel.Warning, Message = "Tunnels: not applied, trying again: {Reason}")]
        public static partial void Failed(ILogger logger, string reason);
    }
}

/// <summary>How often the tunnels are checked against the kernel, and the pause after a failure.</summary>
public sealed record TunnelOptions
{
    public TimeSpan ResyncInterval { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(1);
}
