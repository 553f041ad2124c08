using System.Net;

namespace Routing.Agent.Services.Model;

/// <summary>
/// A Kubernetes Service as the proxy needs it: its addresses (cluster IPs, <c>externalIPs</c>,
/// LoadBalancer ingress IPs), ports and traffic policies. Headless services have no cluster IP.
/// </summary>
public sealed record ClusterService
{
    public required string Namespace { get; init; }

    public required string Name { get; init; }

    /// <summary><c>spec.type</c>: ClusterIP, NodePort, LoadBalancer or ExternalName.</summary>
    public string Type { get; init; } = "ClusterIP";

    /// <summary><c>spec.clusterIPs</c> (or <c>spec.clusterIP</c>); empty for a headless service.</summary>
    public IReadOnlyList<IPAddress> ClusterIPs { get; init; } = [];

    /// <summary><c>spec.externalIPs</c>.</summary>
    public IReadOnlyList<IPAddress> ExternalIPs { get; init; } = [];

    /// <summary><c>status.loadBalancer.ingress[].ip</c>.</summary>
    public IReadOnlyList<IPAddress> LoadBalancerIPs { get; init; } = [];

    public IReadOnlyList<ServicePort> Ports { get; init; } = [];

    /// <summary><c>spec.sessionAffinity: ClientIP</c>'s timeout in seconds; null without affinity.</summary>
    public int? AffinitySeconds { get; init; }

    /// <summary><c>spec.externalTrafficPolicy: Local</c>: outside traffic only to this node's endpoints, its source kept.</summary>
    public bool ExternalTrafficLocal { get; init; }

    /// <summary><c>spec.internalTrafficPolicy: Local</c>: cluster IP traffic only to this node's endpoints.</summary>
    public bool InternalTrafficLocal { get; init; }

    /// <summary><c>spec.healthCheckNodePort</c> (eTP Local NodePort/LoadBalancer services); 0 when none.</summary>
    public int HealthCheckNodePort { get; init; }

    public bool HasNodePorts => Type is "NodePort" or "LoadBalancer";

    public override string ToString() => $"{Namespace}/{Name}";
}
