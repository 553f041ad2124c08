using System.Net;
using Routing.Dataplane.Iptables;

namespace Routing.Agent.Services.Proxy;

/// <summary>How one node's service proxy is set up.</summary>
public sealed record ServiceProxyOptions
{
    /// <summary>This node's name: endpoints with this <c>nodeName</c> are local.</summary>
    public required string NodeName { get; init; }

    /// <summary>Where NodePorts are answered; every local address when empty.</summary>
    public IReadOnlyList<IPAddress> NodeAddresses { get; init; } = [];

    /// <summary>The pods' IPv4 range, for masquerading traffic to cluster IPs from elsewhere (null: none).</summary>
    public string? ClusterCidrV4 { get; init; }

    /// <summary>The pods' IPv6 range; null: none.</summary>
    public string? ClusterCidrV6 { get; init; }

    /// <summary>Also program ip6tables (IPv6 services).</summary>
    public bool IPv6 { get; init; }

    public IptablesBackend Backend { get; init; } = IptablesBackend.Nft;

    /// <summary>Prefix of the proxy's chains in the nat and filter tables; no other owner may use it.</summary>
    public string ChainPrefix { get; init; } = "RT-";

    /// <summary>How long a change waits for more before the rules are written (a rollout is one write, not hundreds).</summary>
    public TimeSpan Coalesce { get; init; } = TimeSpan.FromMilliseconds(20);

    /// <summary>Wait before trying again after the datastore or iptables failed.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(1);
}
