using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Routing.Dataplane;
using Routing.Dataplane.Links;
using Routing.Dataplane.Native;
using Routing.Dataplane.Neighbours;
using Routing.Dataplane.Netlink;
using KernelRoute = Routing.Dataplane.Routes.Route;

namespace Routing.Agent.Tunnels;

/// <summary>
/// Makes the node's kernel match a <see cref="TunnelPlan"/>: the VXLAN device (made, or adopted when
/// it already has the wanted settings, or remade when not), its VTEP address, and its neighbour and
/// forwarding entries, changing only what differs; tunl0 for IPIP, where the kernel has it. The
/// routes are returned for <see cref="Routes.KernelRoutes"/> (they need the devices' indexes).
/// Everything it owns is on its own devices, so nothing else in the namespace is touched.
/// </summary>
public sealed partial class TunnelDataplane(Rtnetlink netlink, ILogger logger)
{
    private readonly KernelFeatures features = new();
    private bool parentMissingReported;

    /// <summary>The kernel features found missing (e.g. "ipip"): reported once each.</summary>
    public IReadOnlyCollection<string> MissingFeatures => features.Missing;

    /// <summary>What the last <see cref="Apply"/> changed in the kernel: 0 when it matched already.</summary>
    public int LastChanges { get; private set; }

    /// <summary>The MAC the VXLAN device has now, or null when there is none.</summary>
    public PhysicalAddress? CurrentVxlanMac() => netlink.Links.Get(TunnelDevices.VxlanName) is { Kind: "vxlan" } link ? link.Address : null;

    /// <summary>Applies <paramref name="plan"/> with the VXLAN device's MAC; returns the routes to program.</summary>
    public IReadOnlyList<KernelRoute> Apply(TunnelPlan plan, PhysicalAddress? vxlanMac)
    {
        ArgumentNullException.ThrowIfNull(plan);
        LastChanges = 0;
        var vxlanIndex = plan.Vxlan && vxlanMac is not null ? SyncVxlan(plan, vxlanMac) : RemoveVxlan();
        var ipipIndex = plan.Ipip ? SyncIpip(plan) : 0;
        var routes = new List<KernelRoute>();
        foreach (var route in plan.Routes)
        {
            var destination = route.Block;
            switch (route.Kind)
            {
                case TunnelKind.Direct:
                    routes.Add(new KernelRoute { Destination = destination, Gateway = route.Gateway });
                    break;
                case TunnelKind.Vxlan when vxlanIndex > 0:
                    routes.Add(new KernelRoute { Destination = destination, Gateway = route.Gateway, InterfaceIndex = vxlanIndex, OnLink = true });
                    break;
                case TunnelKind.Ipip when ipipIndex > 0:
                    routes.Add(new KernelRoute { Destination = destination, Gateway = route.Gateway, InterfaceIndex = ipipIndex, OnLink = true });
                    break;
                default:
                    // The device is missing: the block is left to BGP's route, if any.
                    break;
            }
        }

        return routes;
    }

    private int SyncVxlan(TunnelPlan plan, PhysicalAddress mac)
    {
        if (plan.NodeAddress is not { } local || ParentOf(local) is not { } parent)
        {
            if (!parentMissingReported)
            {
                parentMissingReported = true;
                Log.NoParent(logger, plan.NodeAddress?.ToString() ?? "none (spec.ipv4Address)");
            }

            return 0;
        }

        parentMissingReported = false;
        var mtu = parent.Mtu - TunnelDevices.VxlanOverhead;
        var link = netlink.Links.Get(TunnelDevices.VxlanName);
        if (link is not null && !(link.Kind == "vxlan" && link.Vxlan is { } v && v.Vni == TunnelDevices.VxlanVni && v.Port == TunnelDevices.VxlanPort
            && !v.Learning && Equals(v.Local, local) && v.ParentIndex == parent.Index))
        {
            Log.DeviceRemade(logger, TunnelDevices.VxlanName);
            netlink.Links.Delete(link.Index);
            link = null;
            LastChanges++;
        }

        if (link is null)
        {
            link = netlink.Links.Create(new VxlanSpec(TunnelDevices.VxlanName, TunnelDevices.VxlanVni)
            {
                Local = local,
                Port = TunnelDevices.VxlanPort,
                Learning = false,
                ParentIndex = parent.Index,
                Mtu = mtu,
                Address = mac,
            })!;
            Log.DeviceCreated(logger, TunnelDevices.VxlanName, mac, mtu);
            LastChanges++;
        }

        if (link.Mtu != mtu)
        {
            netlink.Links.SetMtu(link.Index, mtu);
            LastChanges++;
        }

        if (!Equals(link.Address, mac))
        {
            netlink.Links.SetAddress(link.Index, mac);
            LastChanges++;
        }

        if (!link.IsUp)
        {
            netlink.Links.SetUp(link.Index);
            LastChanges++;
        }

        SyncTunnelAddress(link.Index, plan.TunnelAddress);
        SyncNeighbours(link.Index, plan);
        SyncForwardingEntries(link.Index, plan);
        return link.Index;
    }

    private int RemoveVxlan()
    {
        if (netlink.Links.Get(TunnelDevices.VxlanName) is { Kind: "vxlan" } link)
        {
            netlink.Links.Delete(link.Index);
            Log.DeviceRemoved(logger, TunnelDevices.VxlanName);
            LastChanges++;
        }

        return 0;
    }

    private Link? ParentOf(IPAddress local)
    {
        var address = netlink.Addresses.List(AddressFamily.InterNetwork).FirstOrDefault(a => a.Address.Equals(local));
        return address is null ? null : netlink.Links.Get(address.InterfaceIndex);
    }

    private void SyncTunnelAddress(int index, IPAddress? tunnelAddress)
    {
        var present = netlink.Addresses.List(AddressFamily.InterNetwork, index).Where(a => a.InterfaceIndex == index).ToList();
        foreach (var stale in present.Where(a => tunnelAddress is null || !a.Address.Equals(tunnelAddress) || a.PrefixLength != 32))
        {
            netlink.Addresses.Delete(stale);
            LastChanges++;
        }

        if (tunnelAddress is not null && !present.Any(a => a.Address.Equals(tunnelAddress) && a.PrefixLength == 32))
        {
            netlink.Addresses.Add(new Dataplane.Addresses.InterfaceAddress(index, tunnelAddress, 32));
            LastChanges++;
        }
    }

    private void SyncNeighbours(int index, TunnelPlan plan)
    {
        var wanted = plan.VxlanPeers.ToDictionary(p => p.TunnelAddress, p => p.Mac);
        var present = netlink.Neighbours.List(false, index).Where(n => n.Destination is not null && n.Destination.AddressFamily == AddressFamily.InterNetwork).ToList();
        foreach (var entry in present.Where(n => (n.State & NeighbourStates.Permanent) != 0 && !wanted.ContainsKey(n.Destination!)))
        {
            netlink.Neighbours.Delete(entry);
            LastChanges++;
        }

        foreach (var (address, mac) in wanted)
        {
            if (!present.Any(n => n.Destination!.Equals(address) && Equals(n.LinkAddress, mac) && (n.State & NeighbourStates.Permanent) != 0))
            {
                netlink.Neighbours.Replace(Neighbour.Permanent(index, address, mac));
                LastChanges++;
            }
        }
    }

    private void SyncForwardingEntries(int index, TunnelPlan plan)
    {
        var wanted = plan.VxlanPeers.Select(p => (Mac: p.Mac, Remote: p.NodeAddress)).ToHashSet();
        var present = netlink.Neighbours.List(true, index);
        foreach (var entry in present.Where(n => n.LinkAddress is not null && n.Destination is not null && !wanted.Contains((n.LinkAddress, n.Destination))))
        {
            netlink.Neighbours.Delete(entry);
            LastChanges++;
        }

        foreach (var (mac, remote) in wanted)
        {
            if (!present.Any(n => Equals(n.LinkAddress, mac) && Equals(n.Destination, remote)))
            {
                netlink.Neighbours.Replace(Neighbour.VxlanForwarding(index, mac, remote));
                LastChanges++;
            }
        }
    }

    private int SyncIpip(TunnelPlan plan)
    {
        if (features.MissingError("ipip") is not null)
        {
            return 0;
        }

        var link = netlink.Links.Get(TunnelDevices.IpipName);
        if (link is null)
        {
            try
            {
                link = netlink.Links.Create(new IpipSpec(TunnelDevices.IpipName));
                LastChanges++;
            }
            catch (KernelFeatureMissingException e)
            {
                if (features.Record(e))
                {
                    Log.FeatureMissing(logger, e.Feature, e.Message);
                }

                return 0;
            }
            catch (NetlinkException e) when (e.Errno == Errno.EEXIST)
            {
                // Loading the module made tunl0 itself.
                link = netlink.Links.Get(TunnelDevices.IpipName);
            }
        }

        if (link is null)
        {
            return 0;
        }

        if (plan.NodeAddress is { } local && ParentOf(local) is { } parent && link.Mtu != parent.Mtu - TunnelDevices.IpipOverhead)
        {
            netlink.Links.SetMtu(link.Index, parent.Mtu - TunnelDevices.IpipOverhead);
            LastChanges++;
        }

        if (!link.IsUp)
        {
            netlink.Links.SetUp(link.Index);
            LastChanges++;
        }

        return link.Index;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 400, Level = LogLevel.Information, Message = "Tunnels: created {Device} (MAC {Mac}, MTU {Mtu})")]
        public static partial void DeviceCreated(ILogger logger, string device, PhysicalAddress mac, int mtu);

        [LoggerMessage(EventId = 401, Level = LogLevel.Warning, Message = "Tunnels: {Device} has other settings than wanted: making it again")]
        public static partial void DeviceRemade(ILogger logger, string device);

        [LoggerMessage(EventId = 402, Level = LogLevel.Information, Message = "Tunnels: removed {Device}, no pool wants it")]
        public static partial void DeviceRemoved(ILogger logger, string device);

        [LoggerMessage(EventId = 403, Level = LogLevel.Error, Message = "Tunnels: no device holds this node's address {Address}: no VXLAN device until spec.ipv4Address names an address of the node")]
        public static partial void NoParent(ILogger logger, string address);

        [LoggerMessage(EventId = 404, Level = LogLevel.Error, Message = "Tunnels: {Feature} tunnels are off on this node, the rest keeps running: {Reason}")]
        public static partial void FeatureMissing(ILogger logger, string feature, string reason);
    }
}
