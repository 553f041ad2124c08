using System.Net;
using System.Net.NetworkInformation;

namespace Routing.Dataplane.Links;

/// <summary>A network interface as the kernel reports it (RTM_NEWLINK).</summary>
public sealed record Link
{
    public required int Index { get; init; }

    public required string Name { get; init; }

    /// <summary>IFLA_INFO_KIND: "veth", "bridge", "vxlan", "ipip"; null for physical devices and lo.</summary>
    public string? Kind { get; init; }

    /// <summary>ifi_flags (IFF_*).</summary>
    public uint Flags { get; init; }

    /// <summary>Administratively up (IFF_UP).</summary>
    public bool IsUp => (Flags & LinkMessage.FlagUp) != 0;

    public int Mtu { get; init; }

    public PhysicalAddress? Address { get; init; }

    /// <summary>IFLA_MASTER: the bridge (or bond) it is enslaved to; 0 for none.</summary>
    public int MasterIndex { get; init; }

    /// <summary>IFLA_LINK: the peer of a veth or the parent of a tunnel; may be in another namespace.</summary>
    public int ParentIndex { get; init; }

    /// <summary>IF_OPER_* (RFC 2863 operational state): 6 is up, 2 down, 0 unknown.</summary>
    public byte OperationalState { get; init; }

    /// <summary>The VXLAN settings, for a vxlan device.</summary>
    public VxlanAttributes? Vxlan { get; init; }
}

/// <summary>The VXLAN settings the kernel reports (IFLA_VXLAN_*).</summary>
public sealed record VxlanAttributes(uint Vni, IPAddress? Local, ushort Port, bool Learning, int ParentIndex);
