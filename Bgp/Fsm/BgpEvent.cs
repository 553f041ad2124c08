namespace Routing.Bgp.Fsm;

/// <summary>FSM events, named and numbered as in RFC 4271 §8.1 (the optional ones this speaker uses included).</summary>
public enum BgpEvent
{
    ManualStart = 1,
    ManualStop = 2,
    AutomaticStart = 3,
    ConnectRetryTimerExpires = 9,
    HoldTimerExpires = 10,
    KeepaliveTimerExpires = 11,
    IdleHoldTimerExpires = 13,
    TcpConnectionValid = 14,
    TcpCrAcked = 16,
    TcpConnectionConfirmed = 17,
    TcpConnectionFails = 18,
    BgpOpen = 19,
    BgpHeaderErr = 21,
    BgpOpenMsgErr = 22,
    OpenCollisionDump = 23,
    NotifMsgVerErr = 24,
    NotifMsg = 25,
    KeepAliveMsg = 26,
    UpdateMsg = 27,
    UpdateMsgErr = 28,
}
