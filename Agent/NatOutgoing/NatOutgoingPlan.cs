using System.Net.Sockets;
using Routing.Bgp.Wire;
using Routing.Ipam.Pools;

namespace Routing.Agent.NatOutgoing;

/// <summary>
/// The masquerade a node wants for <c>natOutgoing: true</c> pools, as Calico does: traffic from a
/// natOutgoing pool to anywhere outside every pool leaves with the node's address; pod-to-pod
/// traffic (to any pool) keeps its source. IPv4 only. Pure: pools in, set members and rules out.
/// </summary>
public sealed record NatOutgoingPlan(EquatableArray<string> MasqueradedPools, EquatableArray<string> AllPools)
{
    /// <summary>The chain's prefix in the nat table, apart from other iptables users of the agent.</summary>
    public const string ChainPrefix = "rtnat-";

    public const string Chain = ChainPrefix + "outgoing";

    /// <summary>The sets' logical names (the kernel names carry <see cref="ChainPrefix"/>).</summary>
    public const string MasqueradedSet = "masq-pools";

    public const string AllSet = "all-pools";

    public bool IsEmpty => MasqueradedPools.IsEmpty;

    public static NatOutgoingPlan Calculate(IEnumerable<IPPool> pools)
    {
        ArgumentNullException.ThrowIfNull(pools);
        var ipv4 = pools.Where(p => p.ParseCidr().BaseAddress.AddressFamily == AddressFamily.InterNetwork).OrderBy(p => p.Cidr, StringComparer.Ordinal).ToArray();
        var masqueraded = ipv4.Where(p => p.NatOutgoing).Select(p => p.Cidr).Distinct(StringComparer.Ordinal).ToArray();
        return new NatOutgoingPlan(masqueraded, masqueraded.Length == 0 ? [] : ipv4.Select(p => p.Cidr).Distinct(StringComparer.Ordinal).ToArray());
    }

    /// <summary>The one rule of <see cref="Chain"/>, given the two sets' kernel names.</summary>
    public static string MasqueradeRule(string masqueradedSet, string allSet) =>
        $"-m set --match-set {masqueradedSet} src -m set ! --match-set {allSet} dst -j MASQUERADE";
}
