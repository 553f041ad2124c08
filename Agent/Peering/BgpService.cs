using System.Net;
using Microsoft.Extensions.Logging;
using Routing.Bgp.Sessions;

namespace Routing.Agent.Peering;

/// <summary>
/// Runs the node's BGP speaker and keeps it in line with the latest <see cref="BgpPlan"/>: peers
/// added, removed or reconfigured one by one, so a change never restarts unrelated sessions; only a
/// change of the speaker's own identity (AS, router ID, port) restarts it.
/// </summary>
public sealed partial class BgpService(string nodeName, ILoggerFactory loggerFactory) : IAsyncDisposable
{
    private readonly ILogger logger = loggerFactory.CreateLogger<BgpService>();
    private readonly SemaphoreSlim gate = new(1, 1);
    private volatile Speaker? speaker;
    private volatile BgpPlan? plan;

    public string NodeName { get; } = nodeName;

    public Speaker? Speaker => speaker;

    public BgpPlan? Plan => plan;

    public DateTimeOffset Started { get; } = DateTimeOffset.UtcNow;

    /// <summary>Raised with each new speaker (the first, and after an identity change) before it starts or has peers.</summary>
    public event Action<Speaker>? SpeakerCreated;

    /// <summary>The session type and name for a peer address ("node-to-node mesh", "global", "node specific").</summary>
    public PlannedPeer? Describe(IPAddress address) => plan?.Peers.FirstOrDefault(p => p.Config.PeerAddress.Equals(address));

    public async Task ApplyAsync(BgpPlan next)
    {
        ArgumentNullException.ThrowIfNull(next);
        await gate.WaitAsync().ConfigureAwait(false);
        try
        {
            // The datastore's first update repeats the set the agent started from: nothing to do.
            if (speaker is not null && next.Equals(plan))
            {
                return;
            }

            if (speaker is null || plan is null || !plan.Speaker.Equals(next.Speaker))
            {
                if (speaker is not null)
                {
                    Log.Restarting(logger, next.Speaker.Asn, next.Speaker.RouterId);
                    await speaker.DisposeAsync().ConfigureAwait(false);
                }

                speaker = new Speaker(next.Speaker, loggerFactory);
                SpeakerCreated?.Invoke(speaker);
                await speaker.StartAsync().ConfigureAwait(false);
                Log.Started(logger, NodeName, next.Speaker.Asn, next.Speaker.RouterId);
            }

            plan = next;
            await speaker.SetPeersAsync(next.Peers.Select(p => p.Config)).ConfigureAwait(false);
            speaker.SetOriginated(next.Originated);
            Log.Applied(logger, next.Peers.Count, next.Originated.Count);
        }
        finally
        {
            gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (speaker is { } running)
        {
            await running.DisposeAsync().ConfigureAwait(false);
        }

        gate.Dispose();
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 100, Level = LogLevel.Information, Message = "BGP speaker for node {Node} started: AS {Asn}, router ID {RouterId}")]
        public static partial void Started(ILogger logger, string node, uint asn, IPAddress routerId);

        [LoggerMessage(EventId = 101, Level = LogLevel.Warning, Message = "BGP identity changed (AS {Asn}, router ID {RouterId}): restarting the speaker and all sessions")]
        public static partial void Restarting(ILogger logger, uint asn, IPAddress routerId);

        [LoggerMessage(EventId = 102, Level = LogLevel.Information, Message = "BGP configuration applied: {Peers} peers, {Prefixes} originated prefixes")]
        public static partial void Applied(ILogger logger, int peers, int prefixes);
    }
}
