using System.Net;
using System.Net.NetworkInformation;
using Routing.Dataplane.Addresses;
using Routing.Dataplane.Links;
using Routing.Dataplane.Native;
using Routing.Dataplane.Neighbours;
using Routing.Dataplane.Netlink;
using Routing.Dataplane.Routes;
using Routing.Dataplane.Tests.Kit;

namespace Routing.Dataplane.Tests.Links;

/// <summary>
/// Two nodes joined by a veth "underlay", wired as Calico wires them, only with this API: the
/// overlay carries a ping between the nodes' tunnel addresses.
/// </summary>
[Trait("Category", Categories.Netns)]
public class TunnelEndToEndTests
{
    private static readonly IPAddress UnderlayA = IPAddress.Parse("172.16.0.1");
    private static readonly IPAddress UnderlayB = IPAddress.Parse("172.16.0.2");

    [SkippableFact]
    public async Task Vxlan_overlay_with_static_fdb_and_arp_entries_carries_a_ping()
    {
        await using var a = await KernelNamespace.CreateAsync("vxa");
        await using var b = await KernelNamespace.CreateAsync("vxb");
        var (underA, underB) = Underlay(a, b);
        var macA = PhysicalAddress.Parse("66-00-00-00-00-0A");
        var macB = PhysicalAddress.Parse("66-00-00-00-00-0B");
        var tunnelA = Vxlan(a, underA, UnderlayA, macA, "192.168.10.0");
        var tunnelB = Vxlan(b, underB, UnderlayB, macB, "192.168.20.0");

        // Per remote node: its VTEP's MAC by ARP, where to send frames for that MAC by FDB, and the
        // route to its block via its tunnel address, onlink.
        PointAt(a, tunnelA, macB, UnderlayB, "192.168.20.0", "192.168.20.0/26");
        PointAt(b, tunnelB, macA, UnderlayA, "192.168.10.0", "192.168.10.0/26");

        var ping = await a.NetNs.RunAsync("ping", "-c", "1", "-W", "5", "-I", "192.168.10.0", "192.168.20.0");
        Assert.True(ping.ExitCode == 0, $"ping over VXLAN failed: {ping.StandardOutput}{ping.StandardError}");
    }

    [SkippableFact]
    public async Task Ipip_overlay_carries_a_ping_where_the_kernel_has_ipip()
    {
        await using var a = await KernelNamespace.CreateAsync("ipa");
        await using var b = await KernelNamespace.CreateAsync("ipb");
        _ = Underlay(a, b);
        Link? tunnelA;
        try
        {
            tunnelA = a.Kernel.Links.Create(new IpipSpec("tunl0") { Mtu = 1480 });
        }
        catch (KernelFeatureMissingException e)
        {
            Assert.Equal("ipip", e.Feature);
            Assert.Contains("VXLAN", e.Alternative, StringComparison.Ordinal);
            Assert.Equal(Errno.EOPNOTSUPP, Assert.IsType<NetlinkException>(e.InnerException).Errno);
            Skip.If(true, $"{e.Message}; the VXLAN test covers the same path");
            return;
        }

        var tunnelB = b.Kernel.Links.Create(new IpipSpec("tunl0") { Mtu = 1480 })!;
        foreach (var (node, tunnel, own, peer, block) in new[]
        {
            (a, tunnelA!, "192.168.10.0", UnderlayB, "192.168.20.0/26"),
            (b, tunnelB, "192.168.20.0", UnderlayA, "192.168.10.0/26"),
        })
        {
            node.Kernel.Addresses.Add(InterfaceAddress.Parse(tunnel.Index, own + "/32"));
            node.Kernel.Links.SetUp(tunnel.Index);
            node.Kernel.Routes.Add(Route.Via(IPNetwork.Parse(block), peer, tunnel.Index) with { OnLink = true, Protocol = RouteProtocols.Routing });
        }

        var ping = await a.NetNs.RunAsync("ping", "-c", "1", "-W", "5", "-I", "192.168.10.0", "192.168.20.0");
        Assert.True(ping.ExitCode == 0, $"ping over IPIP failed: {ping.StandardOutput}{ping.StandardError}");
    }

    private static (int A, int B) Underlay(KernelNamespace a, KernelNamespace b)
    {
        a.Kernel.Links.Create(new VethSpec("eth0", "eth0") { PeerNamespace = b.Namespace });
        var indexA = a.Kernel.Links.IndexOf("eth0");
        var indexB = b.Kernel.Links.IndexOf("eth0");
        a.Kernel.Addresses.Add(new InterfaceAddress(indexA, UnderlayA, 24));
        b.Kernel.Addresses.Add(new InterfaceAddress(indexB, UnderlayB, 24));
        a.Kernel.Links.SetUp(indexA);
        b.Kernel.Links.SetUp(indexB);
        return (indexA, indexB);
    }

    private static int Vxlan(KernelNamespace node, int underlay, IPAddress local, PhysicalAddress mac, string tunnelAddress)
    {
        var vxlan = node.Kernel.Links.Create(new VxlanSpec("vxlan.calico", 4096) { Local = local, ParentIndex = underlay, Address = mac, Mtu = 1450 })!;
        node.Kernel.Addresses.Add(InterfaceAddress.Parse(vxlan.Index, tunnelAddress + "/32"));
        node.Kernel.Links.SetUp(vxlan.Index);
        return vxlan.Index;
    }

    private static void PointAt(KernelNamespace node, int vxlan, PhysicalAddress remoteMac, IPAddress remoteVtep, string remoteTunnel, string remoteBlock)
    {
        node.Kernel.Neighbours.Replace(Neighbour.Permanent(vxlan, IPAddress.Parse(remoteTunnel), remoteMac));
        node.Kernel.Neighbours.Replace(Neighbour.VxlanForwarding(vxlan, remoteMac, remoteVtep));
        node.Kernel.Routes.Add(Route.Via(IPNetwork.Parse(remoteBlock), IPAddress.Parse(remoteTunnel), vxlan) with { OnLink = true, Protocol = RouteProtocols.Routing });
    }
}
