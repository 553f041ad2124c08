using Routing.Policy.Selectors;

namespace Routing.Policy.Model;

/// <summary>
/// A rule's <c>source</c> or <c>destination</c> (Calico's EntityRule): every criterion given must
/// hold. <see cref="Nets"/>: the address is in one of them; <see cref="NotNets"/>: in none;
/// <see cref="Selector"/>: a pod of any namespace with matching labels; <see cref="NamespaceSelector"/>:
/// a pod of a matching namespace (both: a matching pod of a matching namespace);
/// <see cref="Ports"/>: the port is one of them; <see cref="NotPorts"/>: none of them.
/// CIDRs are kept as written so validation can name a bad one.
/// </summary>
public sealed record EntityRule(
    IReadOnlyList<string> Nets,
    IReadOnlyList<string> NotNets,
    SelectorExpression? Selector,
    SelectorExpression? NamespaceSelector,
    IReadOnlyList<RulePort> Ports,
    IReadOnlyList<RulePort> NotPorts)
{
    /// <summary>No criteria: anything.</summary>
    public static EntityRule Any { get; } = new([], [], null, null, [], []);

    public bool HasSelector => Selector is not null || NamespaceSelector is not null;

    public bool IsAny => Nets.Count == 0 && NotNets.Count == 0 && !HasSelector && Ports.Count == 0 && NotPorts.Count == 0;

    public override string ToString()
    {
        var parts = new List<string>();
        if (Nets.Count > 0)
        {
            parts.Add($"nets {string.Join(",", Nets)}");
        }

        if (NotNets.Count > 0)
        {
            parts.Add($"notNets {string.Join(",", NotNets)}");
        }

        if (Selector is { } selector)
        {
            parts.Add($"selector {selector}");
        }

        if (NamespaceSelector is { } ns)
        {
            parts.Add($"namespaceSelector {ns}");
        }

        if (Ports.Count > 0)
        {
            parts.Add($"ports {string.Join(",", Ports)}");
        }

        if (NotPorts.Count > 0)
        {
            parts.Add($"notPorts {string.Join(",", NotPorts)}");
        }

        return parts.Count == 0 ? "any" : string.Join(" ", parts);
    }
}
