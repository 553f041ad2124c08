using System.Net;
using Routing.Agent.PolicyRules;
using Routing.Ipam.Blocks;

namespace Routing.Agent.PodRoutes;

/// <summary>
/// A pod address of this node, as IPAM recorded it at the CNI plugin's ADD: the allocation's
/// node, namespace and pod attributes name it, and its host-side veth is named from them
/// (<see cref="PodInterfaceName"/>, as routing-cni names it).
/// </summary>
public sealed record LocalPod(IPAddress Address, string Namespace, string Pod)
{
    public string Interface => PodInterfaceName.For(Namespace, Pod);

    /// <summary>The allocations in <paramref name="blocks"/> made for pods of <paramref name="node"/> (any block: borrowed addresses too).</summary>
    public static IReadOnlyList<LocalPod> From(IEnumerable<AllocationBlock> blocks, string node)
    {
        ArgumentNullException.ThrowIfNull(blocks);
        return [.. blocks
            .SelectMany(b => b.EnumerateAllocations())
            .Where(a => a.Attribute.Secondary.TryGetValue(IpamAttributes.Node, out var user) && user == node)
            .Select(a => a.Attribute.Secondary.TryGetValue(IpamAttributes.Namespace, out var ns) && ns.Length > 0
                && a.Attribute.Secondary.TryGetValue(IpamAttributes.Pod, out var pod) && pod.Length > 0
                    ? new LocalPod(a.Address, ns, pod)
                    : null)
            .OfType<LocalPod>()];
    }
}
