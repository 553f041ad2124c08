namespace Routing.Policy.Model;

/// <summary>What a matching GlobalNetworkPolicy rule does with the packet (Calico's rule actions).</summary>
public enum RuleAction
{
    /// <summary>Accept: this direction allows it.</summary>
    Allow,

    /// <summary>Drop it.</summary>
    Deny,

    /// <summary>Log it and go on with the next rule.</summary>
    Log,

    /// <summary>Skip the rest of the tier's policies (Kubernetes NetworkPolicies included) and hand it to the profile, which allows.</summary>
    Pass,
}
