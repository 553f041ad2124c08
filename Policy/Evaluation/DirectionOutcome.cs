namespace Routing.Policy.Evaluation;

/// <summary>What policy says about one direction of a connection.</summary>
public enum DirectionOutcome
{
    /// <summary>That end is not a pod, so no policy applies to it in this direction.</summary>
    NotAPod,

    /// <summary>No policy of this direction applies to the pod: everything is allowed.</summary>
    NotIsolated,

    /// <summary>A rule of a policy that applies to the pod allows it.</summary>
    Allowed,

    /// <summary>Policies apply to the pod and none of their rules allows it (the end of the tier drops).</summary>
    Denied,

    /// <summary>A Deny rule of a GlobalNetworkPolicy matched first.</summary>
    DeniedByRule,

    /// <summary>A Pass rule of a GlobalNetworkPolicy matched first: the rest of the tier is skipped and the profile allows.</summary>
    Passed,
}
