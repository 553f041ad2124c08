using System.Text.Json;
using Routing.Cni.Results;
using Routing.Cni.Wiring;

namespace Routing.Cni.Tests.Commands;

/// <summary>ADD and DEL in-process against the fake agent (real IPAM) and an in-memory kernel.</summary>
public sealed class AddDelTests : IAsyncLifetime
{
    private FakeAgent.FakeAgent agent = null!;
    private InProcessPlugin plugin = null!;

    public async Task InitializeAsync()
    {
        agent = await FakeAgent.FakeAgent.StartAsync();
        plugin = new InProcessPlugin(agent.SocketPath);
    }

    public async Task DisposeAsync() => await agent.DisposeAsync();

    [Fact]
    public async Task Add_assigns_an_address_and_wires_the_pod_the_Calico_way()
    {
        var (exit, output) = plugin.Run("ADD", plugin.Config());

        Assert.Equal(0, exit);
        using var json = JsonDocument.Parse(output);
        var ip = json.RootElement.GetProperty("ips")[0];
        Assert.StartsWith("10.244.", ip.GetProperty("address").GetString(), StringComparison.Ordinal);
        Assert.EndsWith("/32", ip.GetProperty("address").GetString(), StringComparison.Ordinal);
        Assert.Equal("169.254.1.1", ip.GetProperty("gateway").GetString());
        Assert.Equal(1, ip.GetProperty("interface").GetInt32());
        var host = json.RootElement.GetProperty("interfaces")[0].GetProperty("name").GetString()!;
        Assert.Matches("^cali[0-9a-f]{11}$", host);
        Assert.Equal(1450, json.RootElement.GetProperty("interfaces")[1].GetProperty("mtu").GetInt32());
        Assert.Equal(["k8s-pod-network.c1.eth0"], await agent.HandlesAsync());

        var w = plugin.Wiring;
        Assert.Equal("1", w.Sysctls[$"ipv4/conf/{host}/proxy_arp"]);
        Assert.Contains(w.RouteList, r => r.Netns == plugin.NetNs && r.Route.Destination == IpCidr.Host(PodGateway.IPv4) && r.Route.Scope == KernelRoute.LinkScope);
        Assert.Contains(w.RouteList, r => r.Netns == plugin.NetNs && r.Route.Destination.PrefixLength == 0 && Equals(r.Route.Gateway, PodGateway.IPv4));
        Assert.Contains(w.RouteList, r => r.Netns == "(host)" && r.Route.Device == host && r.Route.Protocol == PodGateway.RouteProtocol);
    }

    [Fact]
    public async Task Dual_stack_add_gives_the_pod_a_128_and_a_link_local_gateway()
    {
        var (exit, output) = plugin.Run("ADD", plugin.Config(extra: ""","ipam":{"type":"routing","assign_ipv4":"true","assign_ipv6":"true"}"""));

        Assert.Equal(0, exit);
        using var json = JsonDocument.Parse(output);
        var v6 = json.RootElement.GetProperty("ips").EnumerateArray().Single(i => i.GetProperty("address").GetString()!.Contains(':', StringComparison.Ordinal));
        Assert.EndsWith("/128", v6.GetProperty("address").GetString(), StringComparison.Ordinal);
        Assert.Equal("fe80::ecee:eeff:feee:eeee", v6.GetProperty("gateway").GetString());
        Assert.Single(await agent.HandlesAsync());
    }

    [Fact]
    public async Task A_failure_after_allocation_releases_the_addresses_and_removes_the_veth()
    {
        plugin.Wiring.FailAt = "AddRoute";

        var (exit, output) = plugin.Run("ADD", plugin.Config());

        Assert.NotEqual(0, exit);
        Assert.Equal(101, InProcessPlugin.Code(output));
        Assert.Empty(await agent.HandlesAsync());
        Assert.Empty(plugin.Wiring.Links);
    }

    [Fact]
    public async Task Add_fails_when_the_interface_exists_and_assigns_nothing()
    {
        plugin.Wiring.Links.Add((plugin.NetNs, "eth0"));

        var (exit, output) = plugin.Run("ADD", plugin.Config());

        Assert.NotEqual(0, exit);
        Assert.Contains("CNI_IFNAME eth0 already exists", output, StringComparison.Ordinal);
        Assert.Empty(await agent.HandlesAsync());
    }

    [Fact]
    public async Task Runtime_config_ips_assigns_exactly_that_address()
    {
        var (exit, output) = plugin.Run("ADD", plugin.Config(extra: ""","runtimeConfig":{"ips":["10.244.9.9/32"]}"""));

        Assert.Equal(0, exit);
        Assert.Contains("10.244.9.9/32", output, StringComparison.Ordinal);
        Assert.Single(await agent.HandlesAsync());
    }

    [Fact]
    public async Task Del_releases_and_is_idempotent()
    {
        Assert.Equal(0, plugin.Run("ADD", plugin.Config()).Exit);

        Assert.Equal((0, string.Empty), plugin.Run("DEL", plugin.Config()));
        Assert.Empty(await agent.HandlesAsync());
        Assert.Empty(plugin.Wiring.Links);
        Assert.Equal((0, string.Empty), plugin.Run("DEL", plugin.Config()));
    }

    [Fact]
    public async Task Gc_releases_handles_the_runtime_no_longer_lists()
    {
        Assert.Equal(0, plugin.Run("ADD", plugin.Config(), containerId: "keep", pod: "a").Exit);
        plugin.Wiring.Links.Clear();   // one stand-in namespace: let the second pod have eth0 too
        Assert.Equal(0, plugin.Run("ADD", plugin.Config(), containerId: "gone", pod: "b").Exit);

        var gc = plugin.Config(extra: ""","cni.dev/valid-attachments":[{"containerID":"keep","ifname":"eth0"}]""");
        Assert.Equal((0, string.Empty), plugin.Run("GC", gc));

        Assert.Equal(["k8s-pod-network.keep.eth0"], await agent.HandlesAsync());
    }

    [Fact]
    public void Status_is_ready_when_the_pools_have_room()
    {
        Assert.Equal((0, string.Empty), plugin.Run("STATUS", plugin.Config()));
    }

    [Fact]
    public async Task Status_is_50_when_the_pool_is_full()
    {
        await using var tiny = await FakeAgent.FakeAgent.StartAsync("10.9.0.0/30", ipv6Pool: null, ipv4BlockSize: 30);
        var small = new InProcessPlugin(tiny.SocketPath);
        for (var i = 0; i < 4; i++)
        {
            small.Wiring.Links.Clear();
            Assert.Equal(0, small.Run("ADD", small.Config(), containerId: $"c{i}", pod: $"p{i}").Exit);
        }

        var (exit, output) = small.Run("STATUS", small.Config());

        Assert.NotEqual(0, exit);
        Assert.Equal(50, InProcessPlugin.Code(output));
        Assert.Contains("no free IPv4 address", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_passes_after_add_and_fails_102_naming_a_missing_host_route()
    {
        var (_, added) = plugin.Run("ADD", plugin.Config("1.0.0"));
        var withPrev = plugin.Config("1.0.0", $$""","prevResult":{{added}}""");

        Assert.Equal((0, string.Empty), plugin.Run("CHECK", withPrev));

        plugin.Wiring.RouteList.RemoveAll(r => r.Netns == "(host)");
        var (exit, output) = plugin.Run("CHECK", withPrev);
        Assert.NotEqual(0, exit);
        Assert.Equal(102, InProcessPlugin.Code(output));
        Assert.Contains("host route", output, StringComparison.Ordinal);
    }
}
