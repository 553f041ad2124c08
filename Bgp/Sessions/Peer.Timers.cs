using Routing.Bgp.Fsm;
using Routing.Bgp.Wire;

namespace Routing.Bgp.Sessions;

public sealed partial class Peer
{
    // One timer per kind; a generation number makes a late callback of a stopped timer harmless.
    private readonly ITimer?[] timers = new ITimer?[4];
    private readonly int[] generations = new int[4];

    private void StartTimer(PeerTimer kind, TimeSpan due)
    {
        StopTimer(kind);
        if (due == TimeSpan.MaxValue)
        {
            return;
        }

        var generation = ++generations[(int)kind];
        var writer = inputs.Writer;
        timers[(int)kind] = host.Time.CreateTimer(
            _ => writer.TryWrite(new PeerInput.TimerFired(kind, generation)),
            null,
            due,
            Timeout.InfiniteTimeSpan);
    }

    private void StopTimer(PeerTimer kind)
    {
        generations[(int)kind]++;
        timers[(int)kind]?.Dispose();
        timers[(int)kind] = null;
    }

    private void StopAllTimers()
    {
        foreach (var kind in Enum.GetValues<PeerTimer>())
        {
            StopTimer(kind);
        }
    }

    private void RestartHoldTimer()
    {
        if (negotiatedHoldTime == 0)
        {
            StopTimer(PeerTimer.Hold);
            return;
        }

        StartTimer(PeerTimer.Hold, TimeSpan.FromSeconds(negotiatedHoldTime));
    }

    private void OnTimer(PeerInput.TimerFired fired)
    {
        if (fired.Generation != generations[(int)fired.Timer])
        {
            return;
        }

        timers[(int)fired.Timer]?.Dispose();
        timers[(int)fired.Timer] = null;
        switch (fired.Timer)
        {
            case PeerTimer.IdleHold when State == BgpState.Idle && enabled:
                BeginConnecting(BgpEvent.IdleHoldTimerExpires, TransitionReason.IdleHoldTimerExpired);
                break;
            case PeerTimer.ConnectRetry when State is BgpState.Connect or BgpState.Active && !config.Passive:
                var from = State;
                ConnectOut();
                StartTimer(PeerTimer.ConnectRetry, config.ConnectRetryTime);
                if (from == BgpState.Active)
                {
                    TransitionTo(BgpState.Connect, BgpEvent.ConnectRetryTimerExpires, TransitionReason.ConnectRetryTimerExpired);
                }

                break;
            case PeerTimer.Hold when State is BgpState.OpenSent or BgpState.OpenConfirm or BgpState.Established:
                SendNotificationAndClose(primary, new NotificationMessage(NotificationCode.HoldTimerExpired, 0), $"no message for {negotiatedHoldTime} s");
                GoIdle(BgpEvent.HoldTimerExpires, TransitionReason.HoldTimerExpired, null);
                break;
            case PeerTimer.Keepalive when State is BgpState.OpenConfirm or BgpState.Established:
                primary?.Send(KeepaliveMessage.Instance);
                StartTimer(PeerTimer.Keepalive, keepaliveInterval);
                break;
        }
    }
}
