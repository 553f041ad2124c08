using Routing.Policy.Selectors;

namespace Routing.Policy.Model;

/// <summary>
/// A Kubernetes NetworkPolicy (networking.k8s.io/v1). <see cref="PolicyTypes"/> is as written:
/// null or empty means "not specified" and <see cref="Directions"/> applies the API's defaulting.
/// </summary>
public sealed record NetworkPolicy(
    string Namespace,
    string Name,
    LabelSelector PodSelector,
    IReadOnlyList<NetworkPolicyRule> Ingress,
    IReadOnlyList<NetworkPolicyRule> Egress,
    IReadOnlyList<PolicyDirection>? PolicyTypes = null)
{
    /// <summary>
    /// The directions this policy isolates its pods in. Unspecified policyTypes default to
    /// Ingress, plus Egress when the policy has egress rules (NetworkPolicySpec.PolicyTypes).
    /// </summary>
    public IReadOnlyList<PolicyDirection> Directions => [.. PolicyDirections.Both.Where(Isolates)];

    /// <summary>True when <paramref name="direction"/> is one of <see cref="Directions"/> (without making them: the compiler asks for every policy and pod).</summary>
    public bool Isolates(PolicyDirection direction)
    {
        if (PolicyTypes is not { Count: > 0 } types)
        {
            return direction == PolicyDirection.Ingress || Egress.Count > 0;
        }

        for (var i = 0; i < types.Count; i++)
        {
            if (types[i] == direction)
            {
                return true;
            }
        }

        return false;
    }

    public IReadOnlyList<NetworkPolicyRule> RulesOf(PolicyDirection direction) =>
        direction == PolicyDirection.Ingress ? Ingress : Egress;

    /// <summary>namespace/name, as explain prints it.</summary>
    public string Key => $"{Namespace}/{Name}";

    public override string ToString() => Key;
}
