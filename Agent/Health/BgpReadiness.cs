using Routing.Agent.Peering;
using Routing.Bgp.Fsm;

namespace Routing.Agent.Health;

/// <summary>
/// The BGP part of readiness: every configured session is Established, or is failing for a reason
/// the operator can read (a refused connection, a NOTIFICATION). A session that has neither come up
/// nor failed yet is still starting: not ready.
/// </summary>
public static class BgpReadiness
{
    public static HealthCondition Of(BgpService bgp)
    {
        ArgumentNullException.ThrowIfNull(bgp);
        if (bgp.Plan is not { } plan || bgp.Speaker is not { } speaker)
        {
            return HealthCondition.Down("no BGP configuration applied yet");
        }

        var up = 0;
        var starting = new List<string>();
        var failing = new List<string>();
        foreach (var planned in plan.Peers)
        {
            var status = speaker.FindPeer(planned.Config.PeerAddress)?.Status;
            if (status?.State == BgpState.Established)
            {
                up++;
            }
            else if (status?.LastError is { Length: > 0 } error)
            {
                failing.Add($"{planned.Config.PeerAddress} {status.State}: {error}");
            }
            else
            {
                starting.Add($"{planned.Config.PeerAddress} {status?.State.ToString() ?? "not started"}");
            }
        }

        var detail = $"{up}/{plan.Peers.Count} sessions established";
        if (failing.Count > 0)
        {
            detail += $"; failing: {string.Join("; ", failing)}";
        }

        if (starting.Count > 0)
        {
            return HealthCondition.Down($"{detail}; starting: {string.Join(", ", starting)}");
        }

        return HealthCondition.Up(detail);
    }
}
