using System.Net;

namespace Routing.Agent.Dns.Zone;

/// <summary>
/// What cluster DNS answers from, at one moment: the services (with their headless endpoints) and
/// the pods. Built by <c>Cluster.ClusterNamesReader</c> from Service, EndpointSlice and Pod
/// documents, or by any other reader of the cluster's state.
/// </summary>
public sealed record ClusterNames(IReadOnlyList<ServiceName> Services, IReadOnlyList<PodName> Pods)
{
    public static ClusterNames Empty { get; } = new([], []);
}

public enum ServiceKind
{
    /// <summary>A virtual address (ClusterIP, NodePort, LoadBalancer): the name answers with it.</summary>
    ClusterIP,

    /// <summary><c>clusterIP: None</c>: the name answers with the endpoints' own addresses.</summary>
    Headless,

    /// <summary>An alias for a name outside the cluster: a CNAME.</summary>
    ExternalName,
}

/// <summary>One Service: <c>&lt;name&gt;.&lt;namespace&gt;.svc.&lt;domain&gt;</c>.</summary>
public sealed record ServiceName(
    string Namespace,
    string Name,
    ServiceKind Kind,
    IReadOnlyList<IPAddress> ClusterIPs,
    IReadOnlyList<NamedPort> Ports,
    string? ExternalName = null,
    IReadOnlyList<ServiceEndpoint>? Endpoints = null,
    bool PublishNotReadyAddresses = false)
{
    public IReadOnlyList<ServiceEndpoint> Endpoints { get; init; } = Endpoints ?? [];
}

/// <summary>A port by name and protocol ("TCP", "UDP", "SCTP"); only named ports get SRV records.</summary>
public sealed record NamedPort(string Name, string Protocol, int Port);

/// <summary>
/// One endpoint of a headless service (from an EndpointSlice): its addresses, its hostname if it
/// has one (<c>&lt;hostname&gt;.&lt;service&gt;.&lt;namespace&gt;.svc.&lt;domain&gt;</c>), whether
/// it is ready, and the slice's ports.
/// </summary>
public sealed record ServiceEndpoint(IReadOnlyList<IPAddress> Addresses, string? Hostname, bool Ready, IReadOnlyList<NamedPort> Ports);

/// <summary>A pod's addresses: <c>10-244-2-5.&lt;namespace&gt;.pod.&lt;domain&gt;</c>.</summary>
public sealed record PodName(string Namespace, string Name, IReadOnlyList<IPAddress> Addresses);
