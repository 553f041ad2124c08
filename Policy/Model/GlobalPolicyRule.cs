namespace Routing.Policy.Model;

/// <summary>
/// One ingress or egress rule of a GlobalNetworkPolicy: when the packet's protocol, source and
/// destination all match, <see cref="Action"/> applies. Source and destination are the packet's
/// own, in both directions: in an egress rule the source is the policy's pod.
/// </summary>
public sealed record GlobalPolicyRule(RuleAction Action, RuleProtocol? Protocol = null, EntityRule? Source = null, EntityRule? Destination = null)
{
    public EntityRule From => Source ?? EntityRule.Any;

    public EntityRule To => Destination ?? EntityRule.Any;

    public override string ToString() =>
        $"{Action}{(Protocol is { } p ? $" {p}" : "")} from {From} to {To}";
}
