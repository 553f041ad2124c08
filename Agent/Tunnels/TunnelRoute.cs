using System.Net;

namespace Routing.Agent.Tunnels;

/// <summary>How a remote node's block is reached.</summary>
public enum TunnelKind
{
    /// <summary>Via the remote node's address on the shared subnet (CrossSubnet, same subnet).</summary>
    Direct,

    /// <summary><c>via REMOTE-VTEP dev vxlan.routing onlink</c>.</summary>
    Vxlan,

    /// <summary><c>via REMOTE-NODE dev tunl0 onlink</c>.</summary>
    Ipip,
}

/// <summary>A route the tunnels want for a remote node's block: over <see cref="Kind"/> via <see cref="Gateway"/>.</summary>
public sealed record TunnelRoute(IPNetwork Block, string Node, TunnelKind Kind, IPAddress Gateway);

/// <summary>
/// A remote node's VXLAN tunnel end: a permanent neighbour entry (its VTEP address is at its MAC) and a
/// forwarding entry (frames for that MAC go to its node address) on the VXLAN device.
/// </summary>
public sealed record VxlanPeer(string Node, IPAddress TunnelAddress, System.Net.NetworkInformation.PhysicalAddress Mac, IPAddress NodeAddress);
