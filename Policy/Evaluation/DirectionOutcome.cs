namespace Routing.Policy.Evaluation;

/// <summary>What policy says about one direction of a connection.</summary>
public enum DirectionOutcome
{
    /// <summary>That end is not a pod, so no NetworkPolicy applies to it in this direction.</summary>
    NotAPod,

    /// <summary>No policy of this direction selects the pod: everything is allowed.</summary>
    NotIsolated,

    /// <summary>A rule of a policy that selects the pod allows it.</summary>
    Allowed,

    /// <summary>Policies isolate the pod and none of their rules allows it.</summary>
    Denied,
}
