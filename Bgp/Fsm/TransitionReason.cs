namespace Routing.Bgp.Fsm;

/// <summary>Why the session changed state; logged with every transition and shown by <c>routing bgp peers</c>.</summary>
public enum TransitionReason
{
    Started,
    Stopped,
    IdleHoldTimerExpired,
    ConnectRetryTimerExpired,
    OutgoingConnectionUp,
    IncomingConnectionAccepted,
    ConnectionFailed,
    ConnectionClosedByPeer,
    OpenReceived,
    KeepaliveReceived,
    HoldTimerExpired,
    NotificationReceived,
    NotificationSent,
    MessageError,
    UnexpectedMessage,
    CollisionLost,
    Deconfigured,
}
