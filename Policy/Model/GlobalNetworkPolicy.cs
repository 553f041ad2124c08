using Routing.Policy.Selectors;

namespace Routing.Policy.Model;

/// <summary>
/// A GlobalNetworkPolicy (<c>routing.dev/v1</c>, Calico v3's semantics): cluster-wide, it applies to
/// the pods <see cref="Selector"/> and <see cref="NamespaceSelector"/> pick, in ascending
/// <see cref="Order"/> among all policies of the pod (a Kubernetes NetworkPolicy counts as order
/// 1000; no order sorts last), its rules in order, the first Allow, Deny or Pass deciding.
/// <see cref="Types"/> is as written: null means "not specified" (see <see cref="Directions"/>).
/// <see cref="DoNotTrack"/>, <see cref="PreDnat"/> and <see cref="ApplyOnForward"/> are kept so that
/// validation can refuse them.
/// </summary>
public sealed record GlobalNetworkPolicy(
    string Name,
    double? Order,
    SelectorExpression Selector,
    SelectorExpression? NamespaceSelector,
    IReadOnlyList<GlobalPolicyRule> Ingress,
    IReadOnlyList<GlobalPolicyRule> Egress,
    IReadOnlyList<PolicyDirection>? Types = null,
    bool DoNotTrack = false,
    bool PreDnat = false,
    bool ApplyOnForward = false)
{
    /// <summary>The order Calico gives a Kubernetes NetworkPolicy.</summary>
    public const double KubernetesPolicyOrder = 1000;

    /// <summary>How explain and comments name it.</summary>
    public string Key => $"GlobalNetworkPolicy/{Name}";

    /// <summary>For sorting: no order sorts after every order.</summary>
    public double Rank => Order ?? double.PositiveInfinity;

    /// <summary>
    /// Unspecified types default as Calico's do: Egress alone when there are only egress rules,
    /// both with both, Ingress otherwise.
    /// </summary>
    public IReadOnlyList<PolicyDirection> Directions => [.. PolicyDirections.Both.Where(AppliesIn)];

    /// <summary>True when <paramref name="direction"/> is one of <see cref="Directions"/> (without making them).</summary>
    public bool AppliesIn(PolicyDirection direction)
    {
        if (Types is not { Count: > 0 } types)
        {
            return direction == PolicyDirection.Egress ? Egress.Count > 0 : Ingress.Count > 0 || Egress.Count == 0;
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

    public IReadOnlyList<GlobalPolicyRule> RulesOf(PolicyDirection direction) =>
        direction == PolicyDirection.Ingress ? Ingress : Egress;

    /// <summary>True when the policy applies to <paramref name="endpoint"/>, in a namespace labelled <paramref name="namespaceLabels"/>.</summary>
    public bool Selects(Endpoint endpoint, IReadOnlyDictionary<string, string> namespaceLabels)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        return Selector.Matches(endpoint.Labels) && (NamespaceSelector is null || NamespaceSelector.Matches(namespaceLabels));
    }

    public override string ToString() => Key;
}
