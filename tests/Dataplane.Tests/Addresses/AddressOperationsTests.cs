using System.Net;
using System.Net.Sockets;
using Routing.Dataplane.Addresses;
using Routing.Dataplane.Links;
using Routing.Dataplane.Tests.Kit;

namespace Routing.Dataplane.Tests.Addresses;

[Trait("Category", Categories.Netns)]
public class AddressOperationsTests
{
    [SkippableFact]
    public async Task Adds_lists_and_deletes_IPv4_and_IPv6_addresses_with_scope_and_flags()
    {
        await using var ns = await KernelNamespace.CreateAsync("addrs");
        var link = ns.Kernel.Links.Create(new VethSpec("a0", "b0"))!;
        var addresses = ns.Kernel.Addresses;
        var v4 = InterfaceAddress.Parse(link.Index, "10.0.0.1/24");
        var v4Link = InterfaceAddress.Parse(link.Index, "169.254.1.1/32") with { Scope = 253, Flags = AddressFlags.NoPrefixRoute };
        var v6 = InterfaceAddress.Parse(link.Index, "2001:db8::1/64") with { Flags = AddressFlags.NoDad };
        addresses.Add(v4);
        addresses.Add(v4Link);
        addresses.Add(v6);

        var listed = addresses.List(interfaceIndex: link.Index);
        Assert.Contains(listed, a => a.Address.Equals(IPAddress.Parse("10.0.0.1")) && a.PrefixLength == 24 && a.Scope == 0);
        Assert.Contains(listed, a => a.Address.Equals(IPAddress.Parse("169.254.1.1")) && a.Scope == 253 && (a.Flags & AddressFlags.NoPrefixRoute) != 0);
        Assert.Contains(listed, a => a.Address.Equals(IPAddress.Parse("2001:db8::1")) && (a.Flags & AddressFlags.NoDad) != 0);
        Assert.Equal(2, addresses.List(AddressFamily.InterNetwork, link.Index).Count);
        var shown = await ns.IpAsync("address", "show", "dev", "a0");
        Assert.Contains("inet 169.254.1.1/32 scope link noprefixroute", shown, StringComparison.Ordinal);

        addresses.Delete(v4);
        Assert.DoesNotContain(addresses.List(interfaceIndex: link.Index), a => a.Address.Equals(IPAddress.Parse("10.0.0.1")));
        var duplicate = Assert.Throws<Routing.Dataplane.Netlink.NetlinkException>(() => addresses.Add(v6));
        Assert.StartsWith("add address 2001:db8::1/64 dev #", duplicate.Message, StringComparison.Ordinal);
    }
}
