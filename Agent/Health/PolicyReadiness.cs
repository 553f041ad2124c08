using Routing.Agent.PolicyRules;

namespace Routing.Agent.Health;

/// <summary>
/// The policy part of readiness: the rules of this node's pods applied once in sync, and the last
/// apply succeeded. A policy left out as invalid is shown, but does not make the node unready:
/// the others are enforced.
/// </summary>
public static class PolicyReadiness
{
    public static HealthCondition Of(PolicyLoop? loop)
    {
        if (loop?.Status is not { } status)
        {
            return HealthCondition.Down("starting");
        }

        if (status.LastError is { } error)
        {
            return HealthCondition.Down($"last apply failed: {error}");
        }

        if (!status.InSync || status.LastApplied is null)
        {
            return HealthCondition.Down("waiting for the datastore's pods and policies");
        }

        var detail = $"{status.Rules} rule(s) for {status.LocalPods} local pod(s)";
        return HealthCondition.Up(status.Problems.Count == 0
            ? detail
            : $"{detail}; left out: {string.Join("; ", status.Problems.Select(p => $"{p.Resource}: {p.Reason}"))}");
    }
}
