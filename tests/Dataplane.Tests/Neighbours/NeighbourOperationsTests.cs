using System.Net;
using System.Net.NetworkInformation;
using Routing.Dataplane.Links;
using Routing.Dataplane.Neighbours;
using Routing.Dataplane.Tests.Kit;

namespace Routing.Dataplane.Tests.Neighbours;

[Trait("Category", Categories.Netns)]
public class NeighbourOperationsTests
{
    [SkippableFact]
    public async Task Vxlan_vtep_gets_an_arp_entry_and_a_forwarding_entry_as_calico_programs_them()
    {
        await using var ns = await KernelNamespace.CreateAsync("fdb");
        var parent = await ns.AddUplinkAsync("up0", "10.0.0.1/24");
        var vxlan = ns.Kernel.Links.Create(new VxlanSpec("vx0", 4096) { Local = IPAddress.Parse("10.0.0.1"), ParentIndex = parent })!;
        ns.Kernel.Links.SetUp(vxlan.Index);
        var remoteMac = PhysicalAddress.Parse("66-55-44-33-22-11");
        var neighbours = ns.Kernel.Neighbours;

        neighbours.Replace(Neighbour.Permanent(vxlan.Index, IPAddress.Parse("192.168.7.0"), remoteMac));
        neighbours.Replace(Neighbour.VxlanForwarding(vxlan.Index, remoteMac, IPAddress.Parse("10.0.0.7")));
        neighbours.Append(Neighbour.VxlanForwarding(vxlan.Index, PhysicalAddress.Parse("00-00-00-00-00-00"), IPAddress.Parse("10.0.0.7")));
        neighbours.Append(Neighbour.VxlanForwarding(vxlan.Index, PhysicalAddress.Parse("00-00-00-00-00-00"), IPAddress.Parse("10.0.0.8")));

        // The kernel adds IPv6 multicast entries of its own (MLD, ff02::16) to an interface that is up.
        var arp = Assert.Single(neighbours.List(interfaceIndex: vxlan.Index), n => n.Destination?.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork);
        Assert.Equal(IPAddress.Parse("192.168.7.0"), arp.Destination);
        Assert.Equal(remoteMac, arp.LinkAddress);
        Assert.Equal(NeighbourStates.Permanent, arp.State);
        var fdb = neighbours.List(forwardingEntries: true, interfaceIndex: vxlan.Index).Where(n => n.Destination is not null).ToList();
        Assert.Contains(fdb, n => remoteMac.Equals(n.LinkAddress) && IPAddress.Parse("10.0.0.7").Equals(n.Destination));
        Assert.Equal(2, fdb.Count(n => PhysicalAddress.Parse("00-00-00-00-00-00").Equals(n.LinkAddress)));
        var shown = await ns.NetNs.OutputOfAsync("bridge", "fdb", "show", "dev", "vx0");
        Assert.Contains("66:55:44:33:22:11 dst 10.0.0.7 self permanent", shown, StringComparison.Ordinal);
        Assert.Contains("192.168.7.0 lladdr 66:55:44:33:22:11 PERMANENT", await ns.IpAsync("neigh", "show", "dev", "vx0"), StringComparison.Ordinal);

        neighbours.Delete(Neighbour.VxlanForwarding(vxlan.Index, remoteMac, IPAddress.Parse("10.0.0.7")));
        neighbours.Delete(Neighbour.Permanent(vxlan.Index, IPAddress.Parse("192.168.7.0"), remoteMac));
        // The kernel may keep the entry a moment as FAILED before it is garbage-collected.
        Assert.DoesNotContain(neighbours.List(interfaceIndex: vxlan.Index), n => n.State == NeighbourStates.Permanent);
        Assert.DoesNotContain(neighbours.List(forwardingEntries: true, interfaceIndex: vxlan.Index), n => remoteMac.Equals(n.LinkAddress));
    }
}
