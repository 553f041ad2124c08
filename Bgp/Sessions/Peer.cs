using System.Net;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Routing.Bgp.Fsm;
using Routing.Bgp.Rib;
using Routing.Bgp.Wire;

namespace Routing.Bgp.Sessions;

/// <summary>
/// One BGP neighbour: its session FSM (RFC 4271 §8), its connections, timers, Adj-RIB-In and
/// Adj-RIB-Out. Everything it does runs on one event loop fed by a channel, so the FSM is never
/// entered concurrently. The loop has a turn, which the loop's task takes to handle what is
/// queued, and which a connection's reader takes to handle a message at once when nothing is
/// queued before it (a table is then handled where it is read, with no thread hop per read):
/// inputs are still handled one at a time and in order. Split by phase: <c>Peer.Connections.cs</c>
/// (TCP, OPEN, collisions), <c>Peer.Established.cs</c> (UPDATEs in and out), <c>Peer.Timers.cs</c>.
/// </summary>
public sealed partial class Peer : IAsyncDisposable
{
    private static readonly TimeSpan MaxIdleHold = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan StableSession = TimeSpan.FromSeconds(30);

    private readonly IPeerHost host;
    private readonly ILogger logger;
    // Not SingleReader: that channel cannot count what it holds, and Deliver asks.
    private readonly Channel<PeerInput> inputs = Channel.CreateUnbounded<PeerInput>();
    private readonly Task loop;
    // The loop's turn: whoever handles an input holds it, the loop's task or a connection's reader.
    // A semaphore, not a lock: the loop's task waits for it without blocking a pool thread.
    private readonly SemaphoreSlim turn = new(1, 1);
    private bool disposing;
    private PeerStatus status;
    private PeerConfig config;
    private bool enabled;
    private TimeSpan idleHold = TimeSpan.FromSeconds(1);
    private DateTimeOffset? establishedAt;
    private int establishedTransitions;
    private string? lastError;

    internal Peer(PeerConfig config, IPeerHost host)
    {
        this.config = config;
        this.host = host;
        logger = host.LoggerFactory.CreateLogger($"Routing.Bgp.Peer.{config.PeerAddress}");
        State = BgpState.Idle;
        status = Snapshot(null);
        loop = Task.Run(RunAsync);
    }

    public PeerConfig Config => config;

    public BgpState State { get; private set; }

    /// <summary>The latest snapshot; safe to read from any thread.</summary>
    public PeerStatus Status => Volatile.Read(ref status);

    public IPAddress Address => config.PeerAddress;

    internal uint LocalAs => config.LocalAs ?? host.Config.Asn;

    internal bool IsExternal => config.PeerAs != LocalAs;

    /// <summary>Begins the session (ManualStart): connect out unless passive, accept incoming.</summary>
    public void Start() => Post(new PeerInput.Start());

    /// <summary>Ends the session with a Cease (Administrative Shutdown) carrying <paramref name="communication"/> (RFC 9003).</summary>
    public void Stop(string? communication = null) => Post(new PeerInput.Stop(communication, ErrorSubcodes.AdministrativeShutdown));

    /// <summary>Applies new settings; a session whose identity changed is reset, others keep running.</summary>
    public void Reconfigure(PeerConfig newConfig) => Post(new PeerInput.Reconfigure(newConfig));

    internal void OriginatedChanged() => Post(new PeerInput.OriginatedChanged());

    internal void BestPathsChanged(Prefix[] prefixes) => Post(new PeerInput.BestPathsChanged(prefixes));

    internal void Accept(System.Net.Sockets.Socket socket)
    {
        if (!inputs.Writer.TryWrite(new PeerInput.Accepted(socket)))
        {
            socket.Dispose();
        }
    }

    private void Post(PeerInput input) => inputs.Writer.TryWrite(input);

    /// <summary>
    /// A connection's input: handled at once on the caller's thread when nothing is queued before it
    /// (a table arriving then costs no thread hop per read), else queued behind what is. Either way
    /// inputs are handled one at a time and in order: the loop takes its inputs and handles them in
    /// one hold of the turn, so an empty queue under the turn means everything before was handled.
    /// </summary>
    private void Deliver(PeerInput input)
    {
        turn.Wait();
        try
        {
            if (disposing)
            {
                return;
            }

            if (inputs.Reader.Count == 0)
            {
                HandleGuarded(input);
                return;
            }
        }
        finally
        {
            turn.Release();
        }

        Post(input);
    }

    private async Task RunAsync()
    {
        while (await inputs.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            await turn.WaitAsync().ConfigureAwait(false);
            try
            {
                while (inputs.Reader.TryRead(out var input))
                {
                    HandleGuarded(input);
                }
            }
            finally
            {
                turn.Release();
            }
        }
    }

    private void HandleGuarded(PeerInput input)
    {
        try
        {
            Handle(input);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A bug handling one input must not take the agent or other sessions down (a reader
            // thread handles inputs too, where an exception would end the process).
            Log.Failure(logger, Address, input.GetType().Name, e);
            try
            {
                SendNotificationAndClose(primary, new NotificationMessage(NotificationCode.Cease, ErrorSubcodes.OutOfResources), "internal error");
                GoIdle(BgpEvent.ManualStop, TransitionReason.MessageError, $"internal error: {e.Message}");
            }
            catch (Exception again) when (again is not OutOfMemoryException)
            {
                Log.Failure(logger, Address, "recovery from " + input.GetType().Name, again);
            }
        }
    }

    private void Handle(PeerInput input)
    {
        switch (input)
        {
            case PeerInput.Start:
                enabled = true;
                if (State == BgpState.Idle)
                {
                    BeginConnecting(BgpEvent.ManualStart, TransitionReason.Started);
                }

                break;
            case PeerInput.Stop stop:
                enabled = false;
                var cease = stop.Communication is null
                    ? new NotificationMessage(NotificationCode.Cease, stop.Subcode)
                    : NotificationMessage.Shutdown(stop.Communication, stop.Subcode);
                SendNotificationAndClose(primary, cease, "stopped");
                SendNotificationAndClose(secondary, cease, "stopped");
                if (State != BgpState.Idle)
                {
                    GoIdle(BgpEvent.ManualStop, TransitionReason.Stopped, null);
                }

                break;
            case PeerInput.Reconfigure reconfigure:
                ApplyConfig(reconfigure.Config);
                break;
            case PeerInput.TimerFired fired:
                OnTimer(fired);
                break;
            case PeerInput.Connected connected:
                OnConnected(connected.Connection, BgpEvent.TcpCrAcked, TransitionReason.OutgoingConnectionUp);
                break;
            case PeerInput.ConnectFailed failed:
                OnConnectFailed(failed);
                break;
            case PeerInput.Accepted accepted:
                OnAccepted(accepted.Socket);
                break;
            case PeerInput.Received received:
                OnMessage(received.Connection, received.Message);
                break;
            case PeerInput.Malformed malformed:
                OnMalformed(malformed.Connection, malformed.Error);
                break;
            case PeerInput.Closed closed:
                OnClosed(closed.Connection, closed.Reason);
                break;
            case PeerInput.OriginatedChanged:
                if (State == BgpState.Established)
                {
                    SendAdjRibOut(full: false);
                }

                break;
            case PeerInput.BestPathsChanged changed:
                if (State == BgpState.Established)
                {
                    SendChanges(changed.Prefixes);
                }

                break;
        }
    }

    private void ApplyConfig(PeerConfig newConfig)
    {
        var old = config;
        config = newConfig;

        // Only a new name or retry interval leaves the running session alone; anything else is negotiated.
        // A client flag changes what the peer is sent, not the session: the speaker re-exports to every peer then.
        var identityChanged = old with
        {
            Description = newConfig.Description,
            ConnectRetryTime = newConfig.ConnectRetryTime,
            RouteReflectorClient = newConfig.RouteReflectorClient,
        } != newConfig;
        if (identityChanged && State != BgpState.Idle)
        {
            var cease = new NotificationMessage(NotificationCode.Cease, ErrorSubcodes.OtherConfigurationChange);
            SendNotificationAndClose(primary, cease, "configuration changed");
            SendNotificationAndClose(secondary, cease, "configuration changed");
            GoIdle(BgpEvent.ManualStop, TransitionReason.Deconfigured, "configuration changed");
        }

        Publish(null);
    }

    /// <summary>Moves the FSM, holding it to the declared table, logging the reason.</summary>
    private void TransitionTo(BgpState to, BgpEvent @event, TransitionReason reason)
    {
        var from = State;
        if (!BgpFsm.IsPermitted(from, @event, to))
        {
            throw new InvalidOperationException($"transition {from} -> {to} on {@event} is not in the FSM table");
        }

        State = to;
        if (from != to)
        {
            Log.Transition(logger, Address, from, to, @event, reason);
        }

        if (to == BgpState.Established && from != BgpState.Established)
        {
            establishedAt = host.Time.GetUtcNow();
            establishedTransitions++;
        }

        Publish(from != to ? reason : null, changedState: from != to);
    }

    /// <summary>Leaves whatever state for Idle: connections closed, timers stopped, learned routes withdrawn.</summary>
    private void GoIdle(BgpEvent @event, TransitionReason reason, string? error)
    {
        if (error is not null)
        {
            lastError = error;
        }

        AbortConnection(ref primary);
        AbortConnection(ref secondary);
        CancelConnectAttempt();
        StopAllTimers();
        WithdrawAllLearned();
        adjRibOut.Clear();

        // Damped back-off: a session that did not stay up doubles the wait before the next try.
        var wasStable = establishedAt is { } up && host.Time.GetUtcNow() - up >= StableSession;
        idleHold = wasStable ? TimeSpan.FromSeconds(1) : TimeSpan.FromTicks(Math.Min(MaxIdleHold.Ticks, idleHold.Ticks * 2));
        establishedAt = null;

        if (State != BgpState.Idle)
        {
            TransitionTo(BgpState.Idle, @event, reason);
        }

        if (enabled)
        {
            StartTimer(PeerTimer.IdleHold, idleHold);
        }
    }

    private PeerStatus Snapshot(TransitionReason? reason, bool changedState = false) => new()
    {
        PeerAddress = config.PeerAddress,
        PeerAs = config.PeerAs,
        IsExternal = IsExternal,
        State = State,
        Since = changedState || status is null ? host.Time.GetUtcNow() : status.Since,
        LastTransitionReason = reason ?? status?.LastTransitionReason,
        LastError = lastError,
        RemoteRouterId = primary?.ReceivedOpen?.RouterId,
        NegotiatedHoldTime = negotiatedHoldTime,
        Families = families,
        EndOfRibReceived = State == BgpState.Established ? endOfRibReceived : [],
        PrefixesReceived = prefixesReceived,
        PrefixesAccepted = accepted,
        PrefixesAdvertised = adjRibOut.Count,
        EstablishedTransitions = establishedTransitions,
        Description = config.Description,
    };

    private void Publish(TransitionReason? reason, bool changedState = false) =>
        Volatile.Write(ref status, Snapshot(reason, changedState));

    public async ValueTask DisposeAsync()
    {
        // RFC 9003 defines a shutdown communication only for Administrative Shutdown and Reset: none here.
        await turn.WaitAsync().ConfigureAwait(false);
        // From here connections' inputs are dropped, as the completed queue would drop them.
        disposing = true;
        turn.Release();

        inputs.Writer.TryWrite(new PeerInput.Stop(null, ErrorSubcodes.PeerDeconfigured));
        inputs.Writer.TryComplete();

        await loop.ConfigureAwait(false);
        StopAllTimers();
        foreach (var connection in new[] { primary, secondary })
        {
            if (connection is not null)
            {
                await connection.DisposeAsync().ConfigureAwait(false);
            }
        }
    }
}
