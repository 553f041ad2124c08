using Routing.Policy.Selectors;

namespace Routing.Policy.Model;

/// <summary>
/// One <c>from</c> / <c>to</c> entry. With only <see cref="PodSelector"/>: pods of the policy's
/// namespace; with only <see cref="NamespaceSelector"/>: every pod of the selected namespaces;
/// with both: the selected pods of the selected namespaces (AND); or an <see cref="IpBlock"/>
/// (alone: the API rejects it beside a selector).
/// </summary>
public sealed record NetworkPolicyPeer(LabelSelector? PodSelector = null, LabelSelector? NamespaceSelector = null, IpBlock? IpBlock = null)
{
    public static NetworkPolicyPeer Pods(LabelSelector selector) => new(PodSelector: selector);

    public static NetworkPolicyPeer Namespaces(LabelSelector selector) => new(NamespaceSelector: selector);

    public static NetworkPolicyPeer Block(string cidr, params string[] except) => new(IpBlock: new IpBlock(cidr, except));

    public override string ToString()
    {
        if (IpBlock is { } block)
        {
            return $"ipBlock {block}";
        }

        var parts = new List<string>(2);
        if (NamespaceSelector is { } ns)
        {
            parts.Add($"namespaceSelector {ns}");
        }

        if (PodSelector is { } pods)
        {
            parts.Add($"podSelector {pods}");
        }

        return string.Join(" and ", parts);
    }
}
