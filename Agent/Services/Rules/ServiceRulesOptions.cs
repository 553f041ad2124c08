using System.Net;
using System.Net.Sockets;

namespace Routing.Agent.Services.Rules;

/// <summary>What the service rules depend on besides the Services and their endpoints: which node this is, and how it marks and names things.</summary>
public sealed record ServiceRulesOptions
{
    /// <summary>This node's name, as endpoints' <c>nodeName</c> gives it: its endpoints are the local ones.</summary>
    public required string NodeName { get; init; }

    /// <summary>IPv4 (iptables) or IPv6 (ip6tables); addresses of the other family are left out.</summary>
    public AddressFamily Family { get; init; } = AddressFamily.InterNetwork;

    /// <summary>The addresses NodePorts are answered on; every local address when empty (<c>-m addrtype --dst-type LOCAL</c>).</summary>
    public IReadOnlyList<IPAddress> NodeAddresses { get; init; } = [];

    /// <summary>
    /// The pods' addresses (the cluster CIDR of this family), or null: traffic to a cluster IP from
    /// outside it is masqueraded, so the endpoint's answer comes back through this node, and pods keep
    /// reaching eTP Local services' external addresses through any endpoint.
    /// </summary>
    public string? ClusterCidr { get; init; }

    /// <summary>Every chain is named with this (the <c>IptablesTable</c>'s prefix).</summary>
    public string ChainPrefix { get; init; } = "RT-";

    /// <summary>The packet mark bit that asks the POSTROUTING chain to masquerade.</summary>
    public int MasqueradeBit { get; init; } = 0x4000;

    /// <summary>
    /// Services without session affinity DNAT to their endpoints straight from their spread chain, one
    /// rule per endpoint, and hairpin traffic (a pod reaching itself through its service) is
    /// masqueraded once in POSTROUTING: about a sixth of the chains of kube-proxy's structure, which
    /// nft's <c>iptables-restore --noflush</c> pays for with every chain it handles. False keeps a
    /// chain per endpoint (kube-proxy's iptables mode; the benchmarks' baseline).
    /// </summary>
    public bool InlineEndpoints { get; init; } = true;

    /// <summary>The NodePort range (Kubernetes' default 30000–32767); node ports outside it are reported, not programmed.</summary>
    public int NodePortMin { get; init; } = 30000;

    public int NodePortMax { get; init; } = 32767;
}
