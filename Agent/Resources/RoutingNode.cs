using System.Net;
using System.Net.NetworkInformation;
using Routing.Bgp.Wire;

namespace Routing.Agent.Resources;

/// <summary>A node's addresses and BGP settings (Calico's <c>Node.spec.bgp</c>); <see cref="Name"/> is the node name.</summary>
public sealed record RoutingNode
{
    public required string Name { get; init; }

    /// <summary><c>metadata.labels</c>, which BGPPeer node selectors match.</summary>
    public Labels Labels { get; init; } = Labels.Empty;

    /// <summary><c>spec.asNumber</c>: this node's AS; the global BGPConfiguration's when null.</summary>
    public uint? AsNumber { get; init; }

    /// <summary><c>spec.ipv4Address</c>, in CIDR form (<c>10.0.0.1/24</c>).</summary>
    public InterfaceAddress? IPv4Address { get; init; }

    /// <summary><c>spec.ipv6Address</c>, in CIDR form (<c>2001:db8::1/64</c>).</summary>
    public InterfaceAddress? IPv6Address { get; init; }

    /// <summary><c>spec.routeReflectorClusterID</c>: set when this node is a route reflector.</summary>
    public IPAddress? RouteReflectorClusterId { get; init; }

    /// <summary><c>spec.advertise</c>: extra prefixes the node originates, like BIRD static routes.</summary>
    public EquatableArray<Prefix> Advertise { get; init; }

    /// <summary><c>spec.ipv4VXLANTunnelAddr</c>: the node's VTEP address, written by its agent (Calico's field).</summary>
    public IPAddress? IPv4VxlanTunnelAddress { get; init; }

    /// <summary><c>spec.vxlanTunnelMACAddr</c>: the MAC of the node's VXLAN device, written by its agent.</summary>
    public PhysicalAddress? VxlanTunnelMacAddress { get; init; }

    public bool IsRouteReflector => RouteReflectorClusterId is not null;
}
