using System.Net;
using System.Net.Sockets;
using Routing.Bgp.Fsm;
using Routing.Bgp.Wire;
using Routing.Bgp.Wire.Capabilities;

namespace Routing.Bgp.Sessions;

public sealed partial class Peer
{
    private const ushort LargeHoldTime = 240; // RFC 4271 §8.2.2: hold timer while waiting for OPEN

    private BgpConnection? primary;
    private BgpConnection? secondary;
    private CancellationTokenSource? connectAttempt;
    private int connectAttempts;
    private ushort negotiatedHoldTime;
    private TimeSpan keepaliveInterval;
    private IReadOnlyList<AfiSafi> families = [];
    private IReadOnlyList<AfiSafi> endOfRibReceived = [];
    private bool routeRefresh;
    private bool enhancedRouteRefresh;

    private void BeginConnecting(BgpEvent @event, TransitionReason reason)
    {
        if (config.Passive)
        {
            TransitionTo(BgpState.Active, @event, reason);
            return;
        }

        TransitionTo(BgpState.Connect, @event, reason);
        ConnectOut();
        StartTimer(PeerTimer.ConnectRetry, config.ConnectRetryTime);
    }

    private void ConnectOut()
    {
        CancelConnectAttempt();
        var attempt = ++connectAttempts;
        var cancel = connectAttempt = new CancellationTokenSource();
        var remote = new IPEndPoint(config.PeerAddress, config.PeerPort);
        var source = config.SourceAddress;
        var writer = inputs.Writer;
        Action<PeerInput> deliver = Deliver;
        _ = Task.Run(async () =>
        {
            var socket = host.CreateSocket(remote.AddressFamily);
            socket.NoDelay = true;
            try
            {
                if (source is not null)
                {
                    socket.Bind(new IPEndPoint(source, 0));
                }

                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancel.Token);
                timeout.CancelAfter(TimeSpan.FromSeconds(30));
                await socket.ConnectAsync(remote, timeout.Token).ConfigureAwait(false);
                writer.TryWrite(new PeerInput.Connected(new BgpConnection(socket, outgoing: true, deliver)));
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
            {
                socket.Dispose();
                if (!cancel.IsCancellationRequested)
                {
                    writer.TryWrite(new PeerInput.ConnectFailed(attempt, e.Message));
                }
            }
        });
    }

    private void CancelConnectAttempt()
    {
        connectAttempt?.Cancel();
        connectAttempt?.Dispose();
        connectAttempt = null;
    }

    private void OnConnectFailed(PeerInput.ConnectFailed failed)
    {
        if (failed.Attempt != connectAttempts)
        {
            return;
        }

        lastError = $"connect: {failed.Error}";
        if (State == BgpState.Connect)
        {
            TransitionTo(BgpState.Active, BgpEvent.TcpConnectionFails, TransitionReason.ConnectionFailed);
        }
        else
        {
            Publish(null);
        }
    }

    private void OnAccepted(Socket socket)
    {
        if (!enabled)
        {
            socket.Dispose();
            return;
        }

        socket.NoDelay = true;
        var connection = new BgpConnection(socket, outgoing: false, Deliver);
        if (State == BgpState.Idle)
        {
            // The peer came back before our idle hold ran out: start now rather than refuse it.
            StopTimer(PeerTimer.IdleHold);
            TransitionTo(BgpState.Active, BgpEvent.AutomaticStart, TransitionReason.IncomingConnectionAccepted);
        }

        OnConnected(connection, BgpEvent.TcpConnectionConfirmed, TransitionReason.IncomingConnectionAccepted);
    }

    private void OnConnected(BgpConnection connection, BgpEvent @event, TransitionReason reason)
    {
        Log.ConnectionEvent(logger, Address, connection, "up");
        switch (State)
        {
            case BgpState.Connect or BgpState.Active when primary is null:
                if (connection.Outgoing)
                {
                    connectAttempt = null;
                }
                else
                {
                    CancelConnectAttempt();
                }

                StopTimer(PeerTimer.ConnectRetry);
                primary = connection;
                connection.Start();
                connection.Send(BuildOpen());
                StartTimer(PeerTimer.Hold, TimeSpan.FromSeconds(LargeHoldTime));
                TransitionTo(BgpState.OpenSent, @event, reason);
                break;
            case BgpState.OpenSent or BgpState.OpenConfirm when secondary is null:
                // A second connection: both run the OPEN exchange until the BGP identifiers decide (RFC 4271 §6.8).
                secondary = connection;
                connection.Start();
                connection.Send(BuildOpen());
                break;
            default:
                // Established (RFC 4271 §6.8: the new connection is closed), or a third connection.
                connection.Start();
                connection.SendAndClose(new NotificationMessage(NotificationCode.Cease, ErrorSubcodes.ConnectionCollisionResolution));
                break;
        }
    }

    private OpenMessage BuildOpen()
    {
        List<Capability> capabilities = [];
        foreach (var family in config.Families)
        {
            capabilities.Add(new MultiprotocolCapability(family));
        }

        capabilities.Add(new RouteRefreshCapability());
        capabilities.Add(new EnhancedRouteRefreshCapability());
        capabilities.Add(new FourOctetAsCapability(LocalAs));

        // Graceful restart (RFC 4724): with families whose forwarding state survives a restart when
        // the speaker is configured so, else as a helper only (no families).
        capabilities.Add(host.Config.GracefulRestartTime is { } restart
            ? new GracefulRestartCapability(false, false, (ushort)Math.Clamp(restart.TotalSeconds, 1, 4095), config.Families.Select(f => new GracefulRestartFamily(f, ForwardingPreserved: true)).ToArray())
            : new GracefulRestartCapability(false, false, 120, default));
        return new OpenMessage(LocalAs, config.HoldTime, host.Config.RouterIdValue, capabilities);
    }

    private void OnMessage(BgpConnection connection, BgpMessage message)
    {
        if (connection != primary && connection != secondary)
        {
            return;
        }

        switch (message)
        {
            case OpenMessage open:
                OnOpen(connection, open);
                break;
            case NotificationMessage notification:
                OnNotification(connection, notification);
                break;
            case KeepaliveMessage when connection == primary:
                OnKeepalive();
                break;
            case UpdateMessage update when connection == primary && State == BgpState.Established:
                RestartHoldTimer();
                OnUpdate(update);
                break;
            case RouteRefreshMessage refresh when connection == primary && State == BgpState.Established:
                RestartHoldTimer();
                OnRouteRefresh(refresh);
                break;
            default:
                if (connection == primary)
                {
                    // RFC 6608: a message the state does not expect is an FSM error.
                    var subcode = State switch
                    {
                        BgpState.OpenSent => ErrorSubcodes.UnexpectedMessageInOpenSent,
                        BgpState.OpenConfirm => ErrorSubcodes.UnexpectedMessageInOpenConfirm,
                        _ => ErrorSubcodes.UnexpectedMessageInEstablished,
                    };
                    SendNotificationAndClose(primary, new NotificationMessage(NotificationCode.FsmError, subcode), $"unexpected {message.Type} in {State}");
                    GoIdle(message.Type == BgpMessageType.Keepalive ? BgpEvent.KeepAliveMsg : BgpEvent.UpdateMsg, TransitionReason.UnexpectedMessage, null);
                }

                break;
        }
    }

    private void OnOpen(BgpConnection connection, OpenMessage open)
    {
        if (connection.ReceivedOpen is not null)
        {
            if (connection == primary)
            {
                // RFC 6608 §3: the subcode names the state the OPEN arrived in.
                var subcode = State == BgpState.Established ? ErrorSubcodes.UnexpectedMessageInEstablished : ErrorSubcodes.UnexpectedMessageInOpenConfirm;
                SendNotificationAndClose(primary, new NotificationMessage(NotificationCode.FsmError, subcode), "second OPEN");
                GoIdle(BgpEvent.BgpOpen, TransitionReason.UnexpectedMessage, null);
            }

            return;
        }

        if (CheckOpen(open) is { } error)
        {
            SendNotificationAndClose(connection, NotificationMessage.From(error), error.Reason);
            if (connection == primary)
            {
                GoIdle(BgpEvent.BgpOpenMsgErr, TransitionReason.MessageError, null);
            }
            else
            {
                AbortConnection(ref secondary);
            }

            return;
        }

        connection.ReceivedOpen = open;

        // RFC 4271 §6.8: with two connections, keep the one opened by the speaker with the higher identifier.
        if (secondary is not null && primary is not null)
        {
            var localWins = host.Config.RouterIdValue > open.BgpIdentifier;
            var keep = primary.Outgoing == localWins ? primary : secondary;
            var drop = keep == primary ? secondary : primary;
            SendNotificationAndClose(drop, new NotificationMessage(NotificationCode.Cease, ErrorSubcodes.ConnectionCollisionResolution), "connection collision");
            if (keep == secondary)
            {
                // The other connection wins: it becomes the session, in OpenSent (its OPEN is handled below).
                primary = secondary;
                secondary = null;
                if (State == BgpState.OpenConfirm)
                {
                    TransitionTo(BgpState.Idle, BgpEvent.OpenCollisionDump, TransitionReason.CollisionLost);
                    TransitionTo(BgpState.Active, BgpEvent.AutomaticStart, TransitionReason.CollisionLost);
                    TransitionTo(BgpState.OpenSent, BgpEvent.TcpConnectionConfirmed, TransitionReason.CollisionLost);
                }
            }
            else
            {
                AbortConnection(ref secondary);
                if (connection != primary)
                {
                    return;
                }
            }

            if (primary.ReceivedOpen is null)
            {
                return;
            }
        }

        if (connection == primary && State == BgpState.OpenSent)
        {
            Negotiate(connection, open);
            connection.Send(KeepaliveMessage.Instance);
            TransitionTo(BgpState.OpenConfirm, BgpEvent.BgpOpen, TransitionReason.OpenReceived);
        }
    }

    /// <summary>The checks of RFC 4271 §6.2 that need configuration (the codec did the rest).</summary>
    private BgpError? CheckOpen(OpenMessage open)
    {
        if (open.AsNumber != config.PeerAs)
        {
            Span<byte> data = stackalloc byte[2];
            System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(data, open.MyAutonomousSystem);
            return BgpError.Open(ErrorSubcodes.BadPeerAs, $"peer says AS {open.AsNumber}, configured AS {config.PeerAs}", data);
        }

        if (open.Capability<FourOctetAsCapability>() is { } four && open.MyAutonomousSystem != OpenMessage.AsTrans &&
            open.MyAutonomousSystem != four.Asn)
        {
            return BgpError.Open(ErrorSubcodes.BadPeerAs, $"My AS {open.MyAutonomousSystem} disagrees with 4-octet AS {four.Asn}");
        }

        // RFC 6286 §2.1: the identifiers must differ within an AS.
        if (!IsExternal && open.BgpIdentifier == host.Config.RouterIdValue)
        {
            return BgpError.Open(ErrorSubcodes.BadBgpIdentifier, $"peer uses our own identifier {open.RouterId}");
        }

        if (!config.Families.Intersect(open.Families).Any())
        {
            return BgpError.Open(ErrorSubcodes.UnsupportedCapability, $"no common address family (peer offers {string.Join(", ", open.Families)})");
        }

        return null;
    }

    private void Negotiate(BgpConnection connection, OpenMessage open)
    {
        negotiatedHoldTime = Math.Min(config.HoldTime, open.HoldTime);
        var keepalive = negotiatedHoldTime / 3;
        if (config.KeepaliveTime is { } configured && configured < keepalive)
        {
            keepalive = configured;
        }

        keepaliveInterval = TimeSpan.FromSeconds(Math.Max(1, keepalive));
        families = config.Families.Intersect(open.Families).ToArray();
        endOfRibReceived = [];
        routeRefresh = open.Capability<RouteRefreshCapability>() is not null;
        enhancedRouteRefresh = open.Capability<EnhancedRouteRefreshCapability>() is not null;
        var fourOctet = open.Capability<FourOctetAsCapability>() is not null;
        connection.Options = new SessionOptions(fourOctet, AddPathIPv4: false, AddPathIPv6: false, ExtendedMessage: false);

        RestartHoldTimer();
        if (negotiatedHoldTime > 0)
        {
            StartTimer(PeerTimer.Keepalive, keepaliveInterval);
        }
    }

    private void OnKeepalive()
    {
        switch (State)
        {
            case BgpState.OpenConfirm:
                RestartHoldTimer();
                lastError = null;
                TransitionTo(BgpState.Established, BgpEvent.KeepAliveMsg, TransitionReason.KeepaliveReceived);
                SendAdjRibOut(full: true);
                break;
            case BgpState.Established:
                RestartHoldTimer();
                break;
            default:
                SendNotificationAndClose(primary, new NotificationMessage(NotificationCode.FsmError, ErrorSubcodes.UnexpectedMessageInOpenSent), "KEEPALIVE before OPEN");
                GoIdle(BgpEvent.KeepAliveMsg, TransitionReason.UnexpectedMessage, null);
                break;
        }
    }

    private void OnNotification(BgpConnection connection, NotificationMessage notification)
    {
        Log.NotificationReceived(logger, Address, notification.ToString());
        if (connection == primary)
        {
            GoIdle(BgpEvent.NotifMsg, TransitionReason.NotificationReceived, $"received {notification}");
        }
        else
        {
            AbortConnection(ref secondary);
        }
    }

    private void OnMalformed(BgpConnection connection, BgpError error)
    {
        SendNotificationAndClose(connection, NotificationMessage.From(error), error.Reason);
        if (connection == primary)
        {
            var @event = error.Code switch
            {
                NotificationCode.MessageHeaderError => BgpEvent.BgpHeaderErr,
                NotificationCode.OpenMessageError => BgpEvent.BgpOpenMsgErr,
                _ => BgpEvent.UpdateMsgErr,
            };
            GoIdle(@event, TransitionReason.MessageError, null);
        }
        else if (connection == secondary)
        {
            AbortConnection(ref secondary);
        }
    }

    private void OnClosed(BgpConnection connection, string reason)
    {
        Log.ConnectionClosed(logger, Address, connection, reason);
        if (connection == secondary)
        {
            secondary = null;
            _ = connection.DisposeAsync().AsTask();
            return;
        }

        if (connection != primary)
        {
            return;
        }

        if (State == BgpState.OpenSent)
        {
            // RFC 4271 §8.2.2: OpenSent + TcpConnectionFails goes back to Active and waits.
            AbortConnection(ref primary);
            StopTimer(PeerTimer.Hold);
            lastError = reason;
            TransitionTo(BgpState.Active, BgpEvent.TcpConnectionFails, TransitionReason.ConnectionClosedByPeer);
            StartTimer(PeerTimer.ConnectRetry, config.Passive ? TimeSpan.MaxValue : config.ConnectRetryTime);
            return;
        }

        GoIdle(BgpEvent.TcpConnectionFails, TransitionReason.ConnectionClosedByPeer, reason);
    }

    private void SendNotificationAndClose(BgpConnection? connection, NotificationMessage notification, string detail)
    {
        if (connection is null)
        {
            return;
        }

        Log.NotificationSent(logger, Address, notification.ToString(), detail);
        if (connection == primary)
        {
            lastError = $"sent {notification}: {detail}";
        }

        connection.SendAndClose(notification);
    }

    private static void AbortConnection(ref BgpConnection? connection)
    {
        if (connection is null)
        {
            return;
        }

        var closing = connection;
        connection = null;
        closing.Close();
        _ = closing.DisposeAsync().AsTask();
    }
}
