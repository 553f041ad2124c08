using System.Text;

namespace Routing.Bgp.Fsm;

/// <summary>
/// The session state machine of RFC 4271 §8.2.2 as a declared transition table: every transition a
/// peer makes must be one of these (so the table is the truth the peer is held to), and the same
/// table is exported as a Graphviz diagram (<see cref="ToDot"/>).
/// Hand-written rather than Stateless: that package is not on the package mirror this project builds from.
/// </summary>
public static class BgpFsm
{
    /// <summary>One permitted transition: in <c>From</c>, <c>Event</c> leads to <c>To</c>.</summary>
    public readonly record struct Transition(BgpState From, BgpEvent Event, BgpState To);

    private static readonly BgpState[] All = Enum.GetValues<BgpState>();

    /// <summary>The permitted transitions (RFC 4271 §8.2.2, with the active/passive split of §8.2.1.1).</summary>
    public static IReadOnlyList<Transition> Transitions { get; } = BuildTable();

    private static readonly HashSet<Transition> Permitted = [.. Transitions];

    public static bool IsPermitted(BgpState from, BgpEvent @event, BgpState to) => Permitted.Contains(new Transition(from, @event, to));

    private static Transition[] BuildTable()
    {
        var table = new List<Transition>
        {
            new(BgpState.Idle, BgpEvent.ManualStart, BgpState.Connect),
            new(BgpState.Idle, BgpEvent.ManualStart, BgpState.Active),
            new(BgpState.Idle, BgpEvent.AutomaticStart, BgpState.Connect),
            new(BgpState.Idle, BgpEvent.AutomaticStart, BgpState.Active),
            new(BgpState.Idle, BgpEvent.IdleHoldTimerExpires, BgpState.Connect),
            new(BgpState.Idle, BgpEvent.IdleHoldTimerExpires, BgpState.Active),

            new(BgpState.Connect, BgpEvent.ConnectRetryTimerExpires, BgpState.Connect),
            new(BgpState.Connect, BgpEvent.TcpCrAcked, BgpState.OpenSent),
            new(BgpState.Connect, BgpEvent.TcpConnectionConfirmed, BgpState.OpenSent),
            new(BgpState.Connect, BgpEvent.TcpConnectionFails, BgpState.Active),

            new(BgpState.Active, BgpEvent.ConnectRetryTimerExpires, BgpState.Connect),
            new(BgpState.Active, BgpEvent.TcpConnectionConfirmed, BgpState.OpenSent),
            new(BgpState.Active, BgpEvent.TcpCrAcked, BgpState.OpenSent),

            new(BgpState.OpenSent, BgpEvent.BgpOpen, BgpState.OpenConfirm),
            new(BgpState.OpenSent, BgpEvent.TcpConnectionFails, BgpState.Active),
            new(BgpState.OpenConfirm, BgpEvent.KeepAliveMsg, BgpState.Established),
            new(BgpState.OpenConfirm, BgpEvent.OpenCollisionDump, BgpState.OpenConfirm),
            new(BgpState.OpenSent, BgpEvent.OpenCollisionDump, BgpState.OpenSent),
            new(BgpState.OpenConfirm, BgpEvent.KeepaliveTimerExpires, BgpState.OpenConfirm),

            new(BgpState.Established, BgpEvent.KeepAliveMsg, BgpState.Established),
            new(BgpState.Established, BgpEvent.UpdateMsg, BgpState.Established),
            new(BgpState.Established, BgpEvent.KeepaliveTimerExpires, BgpState.Established),
        };

        // From every state but Idle: stop, errors, NOTIFICATION, hold timer and a lost connection end in Idle.
        foreach (var state in All.Where(s => s != BgpState.Idle))
        {
            table.Add(new(state, BgpEvent.ManualStop, BgpState.Idle));
            table.Add(new(state, BgpEvent.TcpConnectionFails, BgpState.Idle));
            if (state is BgpState.OpenSent or BgpState.OpenConfirm or BgpState.Established)
            {
                table.Add(new(state, BgpEvent.HoldTimerExpires, BgpState.Idle));
                table.Add(new(state, BgpEvent.BgpHeaderErr, BgpState.Idle));
                table.Add(new(state, BgpEvent.BgpOpenMsgErr, BgpState.Idle));
                table.Add(new(state, BgpEvent.NotifMsg, BgpState.Idle));
                table.Add(new(state, BgpEvent.NotifMsgVerErr, BgpState.Idle));
                table.Add(new(state, BgpEvent.UpdateMsgErr, BgpState.Idle));
                table.Add(new(state, BgpEvent.OpenCollisionDump, BgpState.Idle));
            }

            // An unexpected message is an FSM error (RFC 6608), also back to Idle.
            if (state is BgpState.OpenSent or BgpState.OpenConfirm)
            {
                table.Add(new(state, BgpEvent.UpdateMsg, BgpState.Idle));
                table.Add(new(state, BgpEvent.KeepAliveMsg, BgpState.Idle));
            }

            if (state is BgpState.OpenConfirm or BgpState.Established)
            {
                table.Add(new(state, BgpEvent.BgpOpen, BgpState.Idle));
            }
        }

        return [.. table.Distinct()];
    }

    /// <summary>The state diagram in Graphviz DOT (<c>routing bgp fsm --dot | dot -Tsvg</c>).</summary>
    public static string ToDot()
    {
        var dot = new StringBuilder();
        dot.AppendLine("digraph bgp_fsm {");
        dot.AppendLine("  rankdir=LR;");
        dot.AppendLine("  node [shape=ellipse, fontname=\"Helvetica\"];");
        dot.AppendLine("  edge [fontname=\"Helvetica\", fontsize=9];");
        foreach (var group in Transitions.GroupBy(t => (t.From, t.To)).OrderBy(g => g.Key.From).ThenBy(g => g.Key.To))
        {
            var label = string.Join("\\n", group.Select(t => t.Event.ToString()).Order(StringComparer.Ordinal));
            dot.AppendLine($"  {group.Key.From} -> {group.Key.To} [label=\"{label}\"];");
        }

        dot.AppendLine("}");
        return dot.ToString();
    }
}
