using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Routing.Agent.Datastore;
using Routing.Agent.Datastore.Store;
using Routing.Agent.Health;
using Routing.Agent.Peering;
using Routing.Agent.PodRoutes;
using Routing.Agent.Resources;
using Routing.Agent.Routes;
using Routing.Agent.Services.Proxy;
using Routing.Bgp.Wire;
using Routing.Dataplane.Routes;
using Routing.Ipam.Store;

namespace Routing.Agent.Node;

/// <summary>
/// One node's control loop: the cluster's resources and this node's IPAM blocks in, the BGP plan
/// (sessions, and the blocks and prefixes it advertises) and the kernel routes out. Every change of
/// either input recomputes the plan purely (<see cref="BgpPlan.Calculate"/>) and applies it; the
/// kernel routes follow the Loc-RIB and the blocks through <see cref="KernelRoutes"/>.
/// </summary>
public sealed partial class NodeAgent(
    string nodeName,
    IResourceSource resources,
    IResourceStore records,
    IIpamStore ipam,
    BgpService bgp,
    RouteTable? routeTable,
    NodeAgentOptions options,
    ILogger logger,
    ServiceProxy? services = null,
    PodRouteSet? podRoutes = null)
{
    private readonly Channel<bool> wakeups = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly KernelRoutes? kernel = routeTable is null ? null : new KernelRoutes(routeTable);
    private IReadOnlyList<Prefix> blocks = [];
    private readonly TaskCompletionSource blocksRead = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private string? blocksError;

    /// <summary>Set when the kernel is first made to match (after the peers' tables, or the timeout).</summary>
    public bool KernelSyncStarted { get; private set; }

    /// <summary>The datastore part of readiness: this node's blocks read, and the last read succeeded.</summary>
    public HealthCondition DatastoreCondition()
    {
        if (Volatile.Read(ref blocksError) is { } error)
        {
            return HealthCondition.Down($"{resources.Description}: {error}");
        }

        return blocksRead.Task.IsCompleted
            ? HealthCondition.Up($"{resources.Description} in sync; {Volatile.Read(ref blocks).Count} address block(s) affine to this node")
            : HealthCondition.Down($"{resources.Description}: reading this node's address blocks");
    }

    /// <summary>The kernel routes (null without a route table): other route sources, such as tunnels, add theirs here.</summary>
    public KernelRoutes? Kernel => kernel;

    /// <summary>Raised after each change of the resources or of this node's blocks has been applied.</summary>
    public event Action? Applied;

    /// <summary>Call before the first plan is applied, so that the kernel routes follow the speaker from its start.</summary>
    public void AttachToSpeakers()
    {
        if (kernel is not null)
        {
            bgp.SpeakerCreated += kernel.Attach;
        }
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var token = stopping.Token;
        Task[] inputs =
        [
            Task.Run(() => FollowResourcesAsync(token), token),
            Task.Run(() => FollowBlocksAsync(token), token),
            Task.Run(() => FollowBorrowedAsync(token), token),
            Task.Run(() => ProgramRoutesAsync(token), token),
            Task.Run(() => ProxyServicesAsync(token), token),
            Task.Run(() => ProgramPodRoutesAsync(token), token),
        ];

        try
        {
            await foreach (var _ in wakeups.Reader.ReadAllAsync(token).ConfigureAwait(false))
            {
                await ApplyAsync(token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
        finally
        {
            await stopping.CancelAsync().ConfigureAwait(false);
            foreach (var input in inputs)
            {
                try
                {
                    await input.ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                }
            }
        }
    }

    private async Task ApplyAsync(CancellationToken cancellationToken)
    {
        // Advertised: the node's blocks, and host routes for addresses it borrowed from others' blocks.
        IReadOnlyList<Prefix> advertised = [.. Volatile.Read(ref blocks), .. Volatile.Read(ref borrowed)];
        try
        {
            await bgp.ApplyAsync(PlanFor(resources.Current, advertised)).ConfigureAwait(false);
        }
        catch (PlanException e)
        {
            Log.PlanRejected(logger, e.Message);
        }

        Applied?.Invoke();

        cancellationToken.ThrowIfCancellationRequested();
    }

    /// <summary>
    /// The BGP plan for these resources and blocks. With kernel routes, the speaker announces
    /// graceful restart with its forwarding preserved: the routes stay in the kernel while the
    /// agent is away, so peers may keep forwarding to this node meanwhile.
    /// </summary>
    public BgpPlan PlanFor(ResourceSet current, IReadOnlyList<Prefix> own)
    {
        var plan = BgpPlan.Calculate(current, nodeName, own, services?.LocalPolicyAddresses());
        return routeTable is null ? plan : plan with { Speaker = plan.Speaker with { GracefulRestartTime = options.GracefulRestartTime } };
    }

    private void Wake() => wakeups.Writer.TryWrite(true);

    // Services with a Local traffic policy are advertised from the nodes with their endpoints: the plan follows the proxy's writes.
    private Task ProxyServicesAsync(CancellationToken cancellationToken)
    {
        if (services is null)
        {
            return Task.CompletedTask;
        }

        services.Applied += (_, _) => Wake();
        return services.RunAsync(cancellationToken);
    }

    private async Task FollowResourcesAsync(CancellationToken cancellationToken)
    {
        Wake();
        await foreach (var _ in resources.Updates.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            Wake();
        }
    }

    // The blocks are read again whenever one of this node's affinities changes (a claim confirmed, a
    // block released; affinities are named "<node>-<block>", see BlockAffinity.NameFor),
    // from a list and a watch of the datastore: in-process claims by the CNI's allocations and other
    // processes' releases alike.
    private async Task FollowBlocksAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var list = await records.ListAsync(ResourceKinds.BlockAffinity, cancellationToken).ConfigureAwait(false);
                await ReadBlocksAsync(cancellationToken).ConfigureAwait(false);
                await foreach (var change in records.WatchAsync(ResourceKinds.BlockAffinity, list.Revision, cancellationToken).ConfigureAwait(false))
                {
                    // Another node's claim is no concern of this one: no read for it.
                    if (change.Resource is not { } affinity || affinity.Key.Name.StartsWith(nodeName + "-", StringComparison.Ordinal))
                    {
                        await ReadBlocksAsync(cancellationToken).ConfigureAwait(false);
                    }
                }
            }
            catch (ResourceStoreException e) when (e.Error == ResourceStoreError.Expired)
            {
                // The watch fell behind the store's history: list again.
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                Log.BlocksUnreadable(logger, e.Message);
                Volatile.Write(ref blocksError, e.Message);
                await Task.Delay(options.RetryDelay, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task ReadBlocksAsync(CancellationToken cancellationToken)
    {
        var own = await OwnBlocks.ListAsync(ipam, nodeName, cancellationToken).ConfigureAwait(false);
        Volatile.Write(ref blocksError, null);
        if (blocksRead.Task.IsCompleted && own.SequenceEqual(Volatile.Read(ref blocks)))
        {
            return;
        }

        Volatile.Write(ref blocks, own);
        // Given to the kernel routes here too, so that they have them before the kernel is first
        // synced: a restarted agent must not remove its blackholes for a moment.
        kernel?.SetOwnBlocks(own);
        blocksRead.TrySetResult();
        var list = string.Join(", ", own);
        Log.Blocks(logger, list.Length == 0 ? "none" : list);
        Wake();
    }

    // On start the kernel may hold routes a previous run of the agent made: they stay, and traffic
    // keeps flowing, until every peer has sent its initial table (End-of-RIB) or the timeout passes;
    // only then is the kernel made to match, removing what is stale.
    private async Task ProgramRoutesAsync(CancellationToken cancellationToken)
    {
        if (routeTable is null)
        {
            return;
        }

        await blocksRead.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        var deadline = DateTimeOffset.UtcNow + options.InitialSyncTimeout;
        while (DateTimeOffset.UtcNow < deadline && !InitialTablesReceived())
        {
            await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken).ConfigureAwait(false);
        }

        var why = InitialTablesReceived() ? "every peer sent its table" : "not every peer sent its table in time";
        Log.RoutesSyncing(logger, why);
        KernelSyncStarted = true;
        await routeTable.RunAsync(cancellationToken).ConfigureAwait(false);
    }

    private bool InitialTablesReceived() =>
        bgp.Plan is { } plan && bgp.Speaker is { } speaker && plan.Peers.All(p => speaker.FindPeer(p.Config.PeerAddress)?.Status.InitialTableReceived == true);

    private static partial class Log
    {
        [LoggerMessage(EventId = 200, Level = LogLevel.Error, Message = "Configuration not applied, the previous one stays in force: {Reason}")]
        public static partial void PlanRejected(ILogger logger, string reason);

        [LoggerMessage(EventId = 201, Level = LogLevel.Information, Message = "This node's address blocks: {Blocks}")]
        public static partial void Blocks(ILogger logger, string blocks);

        [LoggerMessage(EventId = 202, Level = LogLevel.Warning, Message = "Could not read this node's address blocks, trying again: {Reason}")]
        public static partial void BlocksUnreadable(ILogger logger, string reason);

        [LoggerMessage(EventId = 204, Level = LogLevel.Information, Message = "Addresses this node borrowed from other nodes' blocks, advertised as host routes: {Addresses}")]
        public static partial void Borrowed(ILogger logger, string addresses);

        [LoggerMessage(EventId = 203, Level = LogLevel.Information, Message = "Kernel routes: syncing with the kernel ({Why})")]
        public static partial void RoutesSyncing(ILogger logger, string why);
    }
}
