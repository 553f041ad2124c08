using System.Net;
using System.Net.Sockets;

namespace Routing.Agent.Services.Model;

/// <summary>A port of an EndpointSlice: the target port resolved for the slice's endpoints.</summary>
public sealed record EndpointPort(string Name, ServiceProtocol Protocol, int Port);

/// <summary>
/// One endpoint of a slice, with its conditions (<c>ready</c>, <c>serving</c>, <c>terminating</c>;
/// unset ready and serving mean true) and the node it runs on.
/// </summary>
public sealed record ServiceEndpoint(IReadOnlyList<IPAddress> Addresses, bool Ready, bool Serving, bool Terminating, string? NodeName);

/// <summary>
/// A discovery.k8s.io/v1 EndpointSlice: the endpoints of the Service its
/// <c>kubernetes.io/service-name</c> label names, for one address family.
/// </summary>
public sealed record EndpointSlice
{
    public const string ServiceNameLabel = "kubernetes.io/service-name";

    public required string Namespace { get; init; }

    public required string Name { get; init; }

    /// <summary>The Service it belongs to (its <see cref="ServiceNameLabel"/> label).</summary>
    public required string ServiceName { get; init; }

    /// <summary><c>addressType</c>: IPv4 or IPv6 (FQDN slices are not proxied).</summary>
    public AddressFamily Family { get; init; } = AddressFamily.InterNetwork;

    public IReadOnlyList<EndpointPort> Ports { get; init; } = [];

    public IReadOnlyList<ServiceEndpoint> Endpoints { get; init; } = [];

    public override string ToString() => $"{Namespace}/{Name}";
}
