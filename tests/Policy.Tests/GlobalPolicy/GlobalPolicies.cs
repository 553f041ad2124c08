using Routing.Policy.Model;
using Routing.Policy.Selectors;

namespace Routing.Policy.Tests.GlobalPolicy;

/// <summary>Short ways to write GlobalNetworkPolicies in tests.</summary>
internal static class GlobalPolicies
{
    public static GlobalNetworkPolicy Ingress(string name, double? order, string selector, params GlobalPolicyRule[] rules) =>
        new(name, order, SelectorExpression.Parse(selector), null, rules, [], [PolicyDirection.Ingress]);

    public static GlobalNetworkPolicy Egress(string name, double? order, string selector, params GlobalPolicyRule[] rules) =>
        new(name, order, SelectorExpression.Parse(selector), null, [], rules, [PolicyDirection.Egress]);

    public static EntityRule Namespace(string ns) => EntityRule.Any with { NamespaceSelector = SelectorExpression.Parse($"kubernetes.io/metadata.name == '{ns}'") };

    public static EntityRule Selector(string selector) => EntityRule.Any with { Selector = SelectorExpression.Parse(selector) };

    public static EntityRule Nets(string[] nets, params string[] notNets) => EntityRule.Any with { Nets = nets, NotNets = notNets };

    public static EntityRule Ports(params RulePort[] ports) => EntityRule.Any with { Ports = ports };

    public static GlobalPolicyRule Rule(RuleAction action, EntityRule? source = null, EntityRule? destination = null, RuleProtocol? protocol = null) =>
        new(action, protocol, source, destination);
}
