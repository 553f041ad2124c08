using System.Net;
using System.Net.NetworkInformation;

namespace Routing.Dataplane.Neighbours;

/// <summary>
/// A neighbour entry: an ARP/NDP entry (IPv4/IPv6: <see cref="Destination"/> is at
/// <see cref="LinkAddress"/>), or a bridge forwarding entry (<see cref="IsForwardingEntry"/>:
/// frames for <see cref="LinkAddress"/> leave by the device; on a VXLAN device
/// <see cref="Destination"/> is the remote VTEP they are sent to).
/// </summary>
public sealed record Neighbour(int InterfaceIndex, IPAddress? Destination, PhysicalAddress? LinkAddress)
{
    /// <summary>AF_BRIDGE: an FDB entry rather than ARP/NDP.</summary>
    public bool IsForwardingEntry { get; init; }

    /// <summary>NUD_* (<see cref="NeighbourStates"/>).</summary>
    public ushort State { get; init; } = NeighbourStates.Permanent;

    /// <summary>NTF_* (<see cref="NeighbourFlags"/>).</summary>
    public byte Flags { get; init; }

    /// <summary>A permanent ARP/NDP entry, as Calico installs for each remote VTEP's address.</summary>
    public static Neighbour Permanent(int interfaceIndex, IPAddress destination, PhysicalAddress linkAddress) =>
        new(interfaceIndex, destination, linkAddress);

    /// <summary>A permanent FDB entry on a VXLAN device: frames for <paramref name="linkAddress"/> go to <paramref name="remoteVtep"/> (bridge fdb … dst … self permanent).</summary>
    public static Neighbour VxlanForwarding(int vxlanIndex, PhysicalAddress linkAddress, IPAddress remoteVtep) =>
        new(vxlanIndex, remoteVtep, linkAddress)
        {
            IsForwardingEntry = true,
            State = NeighbourStates.Permanent | NeighbourStates.NoArp,
            Flags = NeighbourFlags.Self,
        };

    public override string ToString() =>
        IsForwardingEntry
            ? $"fdb {LinkAddress} dev #{InterfaceIndex}{(Destination is null ? string.Empty : $" dst {Destination}")}"
            : $"neighbour {Destination} lladdr {LinkAddress} dev #{InterfaceIndex}";
}

/// <summary>NUD_* (linux/neighbour.h).</summary>
public static class NeighbourStates
{
    public const ushort Incomplete = 0x01;
    public const ushort Reachable = 0x02;
    public const ushort Stale = 0x04;
    public const ushort Failed = 0x20;
    public const ushort NoArp = 0x40;
    public const ushort Permanent = 0x80;
}

/// <summary>NTF_* (linux/neighbour.h).</summary>
public static class NeighbourFlags
{
    /// <summary>The entry is the device's own (the VXLAN device's FDB), not its bridge master's.</summary>
    public const byte Self = 0x02;
    public const byte Master = 0x04;
}
