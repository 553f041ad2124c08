using System.Globalization;
using Routing.Policy.Model;

namespace Routing.Policy.Evaluation;

/// <summary>
/// The decision for one direction (egress at the source pod, ingress at the destination pod),
/// with what decided it: the allowing policy and rule, or the policies that isolate the pod.
/// </summary>
public sealed record DirectionVerdict(
    PolicyDirection Direction,
    DirectionOutcome Outcome,
    NetworkPolicy? Policy = null,
    int? Rule = null,
    IReadOnlyList<NetworkPolicy>? Isolating = null)
{
    public bool Allows => Outcome != DirectionOutcome.Denied;

    /// <summary>One line a person reads: which policy and rule, or why none.</summary>
    public string Reason
    {
        get
        {
            var direction = Direction == PolicyDirection.Ingress ? "ingress" : "egress";
            return Outcome switch
            {
                DirectionOutcome.NotAPod => $"{direction}: not a pod, no policy applies",
                DirectionOutcome.NotIsolated => $"{direction}: no policy isolates the pod",
                DirectionOutcome.Allowed => $"{direction}: allowed by {Policy!.Key} {direction} rule {Rule!.Value.ToString(CultureInfo.InvariantCulture)}",
                _ => $"{direction}: denied, isolated by {string.Join(", ", Isolating!.Select(p => p.Key))} and no rule matches",
            };
        }
    }

    public override string ToString() => Reason;
}
