using Routing.Policy.Model;

namespace Routing.Policy.Evaluation;

public sealed partial class PolicyEvaluator
{
    /// <summary>The first rule whose action decides (Allow, Deny, Pass), or null: Log rules and unmatched rules go on.</summary>
    private DirectionVerdict? DecideGlobal(PolicyDirection direction, GlobalNetworkPolicy policy, Connection connection)
    {
        var rules = policy.RulesOf(direction);
        for (var i = 0; i < rules.Count; i++)
        {
            var rule = rules[i];
            if (!RuleMatches(rule, connection))
            {
                continue;
            }

            var outcome = rule.Action switch
            {
                RuleAction.Allow => DirectionOutcome.Allowed,
                RuleAction.Deny => DirectionOutcome.DeniedByRule,
                RuleAction.Pass => DirectionOutcome.Passed,
                _ => (DirectionOutcome?)null,
            };
            if (outcome is { } decided)
            {
                return new DirectionVerdict(direction, decided, Rule: i, GlobalPolicy: policy);
            }
        }

        return null;
    }

    /// <summary>Source and destination are the packet's own. The source port of a connection is ephemeral and unknown here: <c>ports</c> on the source never match, <c>notPorts</c> always do.</summary>
    private bool RuleMatches(GlobalPolicyRule rule, Connection connection) =>
        (rule.Protocol is not { } protocol || protocol == RuleProtocol.Of(connection.Protocol))
        && EntityMatches(rule.From, connection.From, null, connection.Protocol)
        && EntityMatches(rule.To, connection.To, connection.Port, connection.Protocol);

    private bool EntityMatches(EntityRule entity, TrafficPeer peer, int? port, PolicyProtocol protocol)
    {
        if (entity.Nets.Count > 0 && !entity.Nets.Any(n => Cidr.TryParse(n, out var net) && net.Contains(peer.Address)))
        {
            return false;
        }

        if (entity.NotNets.Any(n => Cidr.TryParse(n, out var net) && net.Contains(peer.Address)))
        {
            return false;
        }

        if (entity.HasSelector && (peer.Endpoint is not { } endpoint || !Model.EntitySelects(entity, endpoint)))
        {
            return false;
        }

        if (entity.Ports.Count > 0 && (port is not { } number || !entity.Ports.Any(p => PortIs(p, number, peer, protocol))))
        {
            return false;
        }

        return port is not { } value || !entity.NotPorts.Any(p => PortIs(p, value, peer, protocol));
    }

    /// <summary>A named port resolves on the pod at that end of the connection.</summary>
    private static bool PortIs(RulePort port, int number, TrafficPeer peer, PolicyProtocol protocol) =>
        port.Name is { } name ? peer.Endpoint is { } endpoint && endpoint.Resolve(name, protocol).Contains(number) : port.Contains(number);
}
