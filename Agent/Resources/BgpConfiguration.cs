using System.Net;
using Routing.Bgp.Wire;

namespace Routing.Agent.Resources;

/// <summary>
/// Calico's BGPConfiguration: the cluster-wide BGP settings. The one named <c>default</c> is the
/// global configuration (<see cref="ResourceSet.GlobalBgpConfiguration"/>).
/// </summary>
public sealed record BgpConfiguration
{
    public const string DefaultName = "default";

    public const uint DefaultAsNumber = 64512;

    public const int DefaultListenPort = 179;

    /// <summary>The configuration in force when the datastore has none.</summary>
    public static BgpConfiguration Default { get; } = new() { Name = DefaultName };

    public required string Name { get; init; }

    public Labels Labels { get; init; } = Labels.Empty;

    /// <summary><c>spec.asNumber</c>: the AS of every node that does not set its own.</summary>
    public uint AsNumber { get; init; } = DefaultAsNumber;

    /// <summary><c>spec.listenPort</c>: the TCP port the speaker listens on.</summary>
    public int ListenPort { get; init; } = DefaultListenPort;

    /// <summary><c>spec.nodeToNodeMeshEnabled</c>: peer every node with every other node.</summary>
    public bool NodeToNodeMeshEnabled { get; init; } = true;

    /// <summary><c>spec.logSeverityScreen</c>: Debug, Info, Warning, Error or Fatal; the agent's default when null.</summary>
    public string? LogSeverityScreen { get; init; }

    /// <summary><c>spec.routerId</c>: an IPv4 router ID; the node's IPv4 address when null.</summary>
    public IPAddress? RouterId { get; init; }

    /// <summary><c>spec.serviceClusterIPs[].cidr</c>: cluster IP ranges every node advertises.</summary>
    public EquatableArray<Prefix> ServiceClusterIPs { get; init; }

    /// <summary><c>spec.serviceExternalIPs[].cidr</c>: external IP ranges every node advertises.</summary>
    public EquatableArray<Prefix> ServiceExternalIPs { get; init; }

    /// <summary><c>spec.serviceLoadBalancerIPs[].cidr</c>: load-balancer IP ranges every node advertises.</summary>
    public EquatableArray<Prefix> ServiceLoadBalancerIPs { get; init; }
}
