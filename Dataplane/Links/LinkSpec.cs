using System.Net;
using System.Net.NetworkInformation;
using Routing.Dataplane.Namespaces;

namespace Routing.Dataplane.Links;

/// <summary>A device to create: its name and the settings every kind shares.</summary>
public abstract record LinkSpec(string Name)
{
    public int? Mtu { get; init; }

    public PhysicalAddress? Address { get; init; }

    /// <summary>Put the new device in this namespace instead of the connection's (IFLA_NET_NS_FD).</summary>
    public NetworkNamespace? Namespace { get; init; }

    /// <summary>IFLA_INFO_KIND.</summary>
    public abstract string Kind { get; }
}

/// <summary>A veth pair: <see cref="LinkSpec.Name"/> here, <see cref="PeerName"/> in <see cref="PeerNamespace"/> (or here).</summary>
public sealed record VethSpec(string Name, string PeerName) : LinkSpec(Name)
{
    /// <summary>Where the peer goes, directly at creation: it never shows up in this namespace.</summary>
    public NetworkNamespace? PeerNamespace { get; init; }

    public int? PeerMtu { get; init; }

    public PhysicalAddress? PeerAddress { get; init; }

    public override string Kind => "veth";
}

public sealed record BridgeSpec(string Name) : LinkSpec(Name)
{
    public override string Kind => "bridge";
}

/// <summary>
/// A VXLAN device as Calico makes vxlan.calico: a VNI, the node's address as the local end, the
/// destination UDP port, learning off (the agent programs FDB and neighbour entries itself), on
/// a parent device.
/// </summary>
public sealed record VxlanSpec(string Name, uint Vni) : LinkSpec(Name)
{
    public IPAddress? Local { get; init; }

    /// <summary>UDP destination port; 4789 is IANA's (RFC 7348 §5), Linux defaults to 8472.</summary>
    public ushort Port { get; init; } = 4789;

    public bool Learning { get; init; }

    /// <summary>IFLA_VXLAN_LINK: the device the encapsulated packets leave by.</summary>
    public int ParentIndex { get; init; }

    public override string Kind => "vxlan";
}

/// <summary>
/// An IPIP tunnel (RFC 2003). With no remote end it is a tunl0-style catch-all device that
/// takes any encapsulated packet, as Calico's IPIP mode uses; routes pick the remote per
/// destination ("via NODE dev tunl0 onlink").
/// </summary>
public sealed record IpipSpec(string Name) : LinkSpec(Name)
{
    public IPAddress? Local { get; init; }

    public IPAddress? Remote { get; init; }

    public int ParentIndex { get; init; }

    /// <summary>0 inherits the inner packet's TTL.</summary>
    public byte Ttl { get; init; }

    /// <summary>Path MTU discovery: DF set on the outer header.</summary>
    public bool PathMtuDiscovery { get; init; } = true;

    public override string Kind => "ipip";
}
