using Routing.Policy.Model;

namespace Routing.Policy.Evaluation;

/// <summary>
/// The semantics of NetworkPolicy, as the Kubernetes documentation states them, over a
/// <see cref="PolicyModel"/>: a pod selected by a policy of a direction is isolated in it;
/// policies are a union (any rule of any of them allows); a connection needs the source's
/// egress and the destination's ingress to allow it. Replies of an allowed connection are
/// allowed (the dataplane's conntrack does that; this answers for the connection as opened).
/// </summary>
public sealed class PolicyEvaluator(PolicyModel model)
{
    public PolicyModel Model { get; } = model ?? throw new ArgumentNullException(nameof(model));

    public Verdict Evaluate(Connection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var egress = connection.From.Endpoint is { } source
            ? Decide(PolicyDirection.Egress, source, connection.To, connection)
            : new DirectionVerdict(PolicyDirection.Egress, DirectionOutcome.NotAPod);
        var ingress = connection.To.Endpoint is { } destination
            ? Decide(PolicyDirection.Ingress, destination, connection.From, connection)
            : new DirectionVerdict(PolicyDirection.Ingress, DirectionOutcome.NotAPod);
        return new Verdict(connection, egress, ingress);
    }

    private DirectionVerdict Decide(PolicyDirection direction, Endpoint subject, TrafficPeer peer, Connection connection)
    {
        var isolating = Model.PoliciesSelecting(subject).Where(p => p.Isolates(direction)).ToArray();
        if (isolating.Length == 0)
        {
            return new DirectionVerdict(direction, DirectionOutcome.NotIsolated);
        }

        foreach (var policy in isolating)
        {
            var rules = policy.RulesOf(direction);
            for (var i = 0; i < rules.Count; i++)
            {
                if (PeerMatches(rules[i], policy.Namespace, peer) && PortMatches(rules[i], connection))
                {
                    return new DirectionVerdict(direction, DirectionOutcome.Allowed, policy, i);
                }
            }
        }

        return new DirectionVerdict(direction, DirectionOutcome.Denied, Isolating: isolating);
    }

    private bool PeerMatches(NetworkPolicyRule rule, string policyNamespace, TrafficPeer peer)
    {
        if (rule.Peers.Count == 0)
        {
            return true;
        }

        foreach (var candidate in rule.Peers)
        {
            if (candidate.IpBlock is { } block ? block.Matches(peer.Address)
                : peer.Endpoint is { } endpoint && Model.PeerSelects(candidate, policyNamespace, endpoint))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Named ports are resolved on the destination pod: the policy's own pod for ingress, the peer for egress.</summary>
    private static bool PortMatches(NetworkPolicyRule rule, Connection connection)
    {
        if (rule.Ports.Count == 0)
        {
            return true;
        }

        foreach (var port in rule.Ports)
        {
            if (port.Protocol != connection.Protocol)
            {
                continue;
            }

            if (port.Port is not { } reference)
            {
                return true;
            }

            if (reference.Name is { } name)
            {
                if (connection.To.Endpoint is { } destination && destination.Resolve(name, port.Protocol).Contains(connection.Port))
                {
                    return true;
                }
            }
            else if (connection.Port >= reference.Number && connection.Port <= (port.EndPort ?? reference.Number))
            {
                return true;
            }
        }

        return false;
    }
}
