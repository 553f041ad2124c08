using Routing.Policy.Model;

namespace Routing.Policy.Evaluation;

/// <summary>
/// The semantics of policy over a <see cref="PolicyModel"/>, as Calico applies them to a pod: the
/// GlobalNetworkPolicies that select the pod and the NetworkPolicies that isolate it, in one
/// ordered list per direction (<see cref="PolicyModel.PoliciesFor"/>). Each policy's rules are
/// tried in order: a NetworkPolicy rule allows; a GlobalNetworkPolicy rule allows, denies, passes
/// to the profile (which allows) or logs and goes on. When no rule decides and some policy
/// applies, the pod is isolated and the connection denied; when none applies, it is allowed. A
/// connection needs the source's egress and the destination's ingress to allow it. Replies of an
/// allowed connection are allowed (the dataplane's conntrack does that; this answers for the
/// connection as opened).
/// </summary>
public sealed partial class PolicyEvaluator(PolicyModel model)
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
        var applied = Model.PoliciesFor(subject, direction);
        if (applied.Count == 0)
        {
            return new DirectionVerdict(direction, DirectionOutcome.NotIsolated);
        }

        foreach (var policy in applied)
        {
            var verdict = policy.Global is { } global
                ? DecideGlobal(direction, global, connection)
                : DecideKubernetes(direction, policy.Kubernetes!, peer, connection);
            if (verdict is not null)
            {
                return verdict;
            }
        }

        return new DirectionVerdict(direction, DirectionOutcome.Denied, Isolating: applied);
    }

    private DirectionVerdict? DecideKubernetes(PolicyDirection direction, NetworkPolicy policy, TrafficPeer peer, Connection connection)
    {
        var rules = policy.RulesOf(direction);
        for (var i = 0; i < rules.Count; i++)
        {
            if (PeerMatches(rules[i], policy.Namespace, peer) && PortMatches(rules[i], connection))
            {
                return new DirectionVerdict(direction, DirectionOutcome.Allowed, policy, i);
            }
        }

        return null;
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
