namespace Routing.Agent.Tunnels;

/// <summary>The tunnel devices the agent owns in a node's namespace, made the way Calico makes vxlan.calico and tunl0.</summary>
public static class TunnelDevices
{
    public const string VxlanName = "vxlan.routing";

    /// <summary>Calico's default VXLAN network identifier.</summary>
    public const uint VxlanVni = 4096;

    /// <summary>IANA's VXLAN port (RFC 7348 §5).</summary>
    public const ushort VxlanPort = 4789;

    /// <summary>Outer IPv4 (20) + UDP (8) + VXLAN (8) + inner Ethernet (14) headers: the device's MTU is its parent's less this.</summary>
    public const int VxlanOverhead = 50;

    /// <summary>The kernel's catch-all IPIP device: it exists once the ipip module is loaded.</summary>
    public const string IpipName = "tunl0";

    /// <summary>An outer IPv4 header.</summary>
    public const int IpipOverhead = 20;

    /// <summary>The IPAM handle of a node's VTEP address (Calico's "vxlan-tunnel-addr-NODE").</summary>
    public static string VxlanHandleFor(string node) => $"vxlan-tunnel-addr-{node}";
}
