using Routing.Dataplane.Links;
using Routing.Dataplane.Namespaces;
using Routing.TestKit;
using Routing.TestKit.Processes;

namespace Routing.Dataplane.Tests.Namespaces;

[Trait("Category", Kit.Categories.Netns)]
public class NamespaceTests
{
    [SkippableFact]
    public async Task Creates_a_named_namespace_ip_netns_sees_and_deletes_it()
    {
        TestRun.RequireNamespaces();
        var name = TestRun.NewNamespaceName("named");
        try
        {
            using (var ns = NamedNamespaces.Create(name))
            {
                Assert.Contains(name, NamedNamespaces.List());
                Assert.Contains(name, await Command.OutputOfAsync("ip", "netns", "list"), StringComparison.Ordinal);
                using var kernel = Rtnetlink.Open(ns);
                kernel.Links.Create(new BridgeSpec("br-test"));
                Assert.Contains("br-test", await Command.OutputOfAsync("ip", "-n", name, "link", "show"), StringComparison.Ordinal);
                using (var host = Rtnetlink.Open())
                {
                    Assert.Null(host.Links.Get("br-test"));
                }

                Assert.Contains("(EEXIST)", Assert.Throws<NamespaceException>(() => NamedNamespaces.Create(name)).Message, StringComparison.Ordinal);
            }

            NamedNamespaces.Delete(name);
            Assert.DoesNotContain(name, NamedNamespaces.List());
            Assert.DoesNotContain(name, await Command.OutputOfAsync("ip", "netns", "list"), StringComparison.Ordinal);
        }
        finally
        {
            NamedNamespaces.Delete(name);
        }
    }

    [SkippableFact]
    public async Task Run_executes_inside_and_leaves_the_caller_where_it_was()
    {
        await using var ns = await Kit.KernelNamespace.CreateAsync("run");
        using var before = NetworkNamespace.OpenCurrent();
        var inode = ns.Namespace.Run(() => new FileInfo($"/proc/thread-self/ns/net").LinkTarget);
        Assert.Equal(new FileInfo(ns.Namespace.Path).LinkTarget ?? inode, inode);
        Assert.NotEqual(new FileInfo("/proc/thread-self/ns/net").LinkTarget, inode);
        Assert.Throws<InvalidOperationException>(() => ns.Namespace.Run<int>(() => throw new InvalidOperationException("inside")));
    }

    [SkippableFact]
    public async Task Sysctls_are_written_inside_the_namespace_only()
    {
        await using var ns = await Kit.KernelNamespace.CreateAsync("sysctl");
        await ns.AddUplinkAsync("up0", "10.0.0.1/24");
        var hostForwarding = Sysctls.Read(null, "net.ipv4.conf.lo.forwarding");

        Sysctls.WriteInterface(ns.Namespace, ipv6: false, "up0", "forwarding", "1");
        Sysctls.WriteInterface(ns.Namespace, ipv6: false, "up0", "proxy_arp", "1");
        Sysctls.WriteInterface(ns.Namespace, ipv6: false, "up0", "rp_filter", "2");
        Sysctls.WriteInterface(ns.Namespace, ipv6: true, "up0", "forwarding", "1");
        Sysctls.Write(ns.Namespace, "net.ipv4.conf.lo.forwarding", hostForwarding == "1" ? "0" : "1");

        Assert.Equal("1", (await ns.NetNs.OutputOfAsync("sysctl", "-n", "net.ipv4.conf.up0.proxy_arp")).Trim());
        Assert.Equal("2", Sysctls.ReadInterface(ns.Namespace, false, "up0", "rp_filter"));
        Assert.Equal("1", Sysctls.ReadInterface(ns.Namespace, true, "up0", "forwarding"));
        Assert.Equal(hostForwarding, Sysctls.Read(null, "net.ipv4.conf.lo.forwarding"));
        Assert.Throws<ArgumentException>(() => Sysctls.WriteInterface(ns.Namespace, false, "../x", "forwarding", "1"));
    }
}
