using System.Globalization;
using Routing.Policy.Model;

namespace Routing.Policy.Evaluation;

/// <summary>
/// The decision for one direction (egress at the source pod, ingress at the destination pod),
/// with what decided it: the policy and rule that allowed, denied or passed it, or the policies
/// that apply to the pod when none of their rules matched.
/// </summary>
public sealed record DirectionVerdict(
    PolicyDirection Direction,
    DirectionOutcome Outcome,
    NetworkPolicy? Policy = null,
    int? Rule = null,
    IReadOnlyList<AppliedPolicy>? Isolating = null,
    GlobalNetworkPolicy? GlobalPolicy = null)
{
    public bool Allows => Outcome is not (DirectionOutcome.Denied or DirectionOutcome.DeniedByRule);

    /// <summary>The deciding policy's key (namespace/name, or GlobalNetworkPolicy/name), when a rule decided.</summary>
    public string? PolicyKey => GlobalPolicy?.Key ?? Policy?.Key;

    /// <summary>One line a person reads: which policy and rule, or why none.</summary>
    public string Reason
    {
        get
        {
            var direction = Direction == PolicyDirection.Ingress ? "ingress" : "egress";
            var rule = Rule is { } r ? r.ToString(CultureInfo.InvariantCulture) : "?";
            return Outcome switch
            {
                DirectionOutcome.NotAPod => $"{direction}: not a pod, no policy applies",
                DirectionOutcome.NotIsolated => $"{direction}: no policy isolates the pod",
                DirectionOutcome.Allowed => $"{direction}: allowed by {PolicyKey} {direction} rule {rule}",
                DirectionOutcome.DeniedByRule => $"{direction}: denied by {PolicyKey} {direction} rule {rule} (Deny)",
                DirectionOutcome.Passed => $"{direction}: passed by {PolicyKey} {direction} rule {rule} to the profile, which allows",
                _ => $"{direction}: denied, isolated by {string.Join(", ", Isolating!.Select(p => p.Key))} and no rule matches",
            };
        }
    }

    public override string ToString() => Reason;
}
