using System.Text.Json;

namespace Routing.Cni.Tests.Netns;

/// <summary>
/// The published plugin wiring real pods (namespaces) on a node (a namespace) against the in-test
/// agent, run as a container runtime runs it: environment and stdin, result on stdout.
/// </summary>
[Trait("Category", "Netns")]
public sealed class PluginNetnsTests : IAsyncLifetime
{
    private FakeAgent.FakeAgent agent = null!;

    public async Task InitializeAsync() => agent = await FakeAgent.FakeAgent.StartAsync();

    public async Task DisposeAsync() => await agent.DisposeAsync();

    [SkippableFact]
    public async Task Add_wires_two_pods_that_reach_each_other_through_the_node()
    {
        await using var lab = await NodeLab.StartAsync(agent.SocketPath);
        var pod1 = await lab.PodAsync("pod1");
        var pod2 = await lab.PodAsync("pod2");

        var (result, address1) = await lab.AddAsync(pod1, "c1");
        var (_, address2) = await lab.AddAsync(pod2, "c2");

        (await pod1.RunAsync("ping", "-c", "1", "-W", "2", address2)).EnsureSuccess();
        (await pod2.RunAsync("ping", "-c", "1", "-W", "2", address1)).EnsureSuccess();
        (await lab.Node.RunAsync("ping", "-c", "1", "-W", "2", address1)).EnsureSuccess();

        using var json = JsonDocument.Parse(result);
        var hostVeth = json.RootElement.GetProperty("interfaces")[0].GetProperty("name").GetString()!;
        Assert.Contains(hostVeth, await lab.HostVethsAsync());
        Assert.Equal("1", (await lab.Node.OutputOfAsync("cat", $"/proc/sys/net/ipv4/conf/{hostVeth}/proxy_arp")).Trim());
        Assert.Contains($"{address1} dev {hostVeth} proto 80 scope link", await lab.Node.IpAsync("route", "show"), StringComparison.Ordinal);
        var podRoutes = await pod1.IpAsync("route", "show");
        Assert.Contains("default via 169.254.1.1 dev eth0", podRoutes, StringComparison.Ordinal);
        Assert.Contains("169.254.1.1 dev eth0 scope link", podRoutes, StringComparison.Ordinal);
        Assert.Contains("mtu 1400", await pod1.IpAsync("link", "show", "eth0"), StringComparison.Ordinal);
        Assert.Equal(["k8s-pod-network.c1.eth0", "k8s-pod-network.c2.eth0"], await agent.HandlesAsync());
    }

    [SkippableFact]
    public async Task Dual_stack_pods_reach_each_other_over_ipv6_via_the_link_local_gateway()
    {
        await using var lab = await NodeLab.StartAsync(agent.SocketPath);
        var pod1 = await lab.PodAsync("pod1");
        var pod2 = await lab.PodAsync("pod2");
        var config = lab.Config(extra: ""","ipam":{"type":"routing","assign_ipv4":"true","assign_ipv6":"true"}""");

        await lab.AddAsync(pod1, "c1", config);
        var (result2, _) = await lab.AddAsync(pod2, "c2", config);

        using var json = JsonDocument.Parse(result2);
        var address2 = json.RootElement.GetProperty("ips").EnumerateArray()
            .Select(i => i.GetProperty("address").GetString()!.Split('/')[0])
            .Single(a => a.Contains(':', StringComparison.Ordinal));
        Assert.Contains("default via fe80::ecee:eeff:feee:eeee dev eth0", await pod1.IpAsync("-6", "route", "show"), StringComparison.Ordinal);
        (await pod1.RunAsync("ping", "-6", "-c", "1", "-W", "3", address2)).EnsureSuccess();
    }

    [SkippableFact]
    public async Task Del_removes_the_wiring_and_the_addresses_and_twice_or_without_a_netns_is_fine()
    {
        await using var lab = await NodeLab.StartAsync(agent.SocketPath);
        var pod = await lab.PodAsync("pod");
        await lab.AddAsync(pod, "c1");

        (await lab.RunAsync("DEL", lab.Config(), "c1", pod.Path, pod.Label)).EnsureSuccess();

        Assert.Empty(await lab.HostVethsAsync());
        Assert.Equal(["lo"], await NodeLab.LinksAsync(pod));
        Assert.Empty(await agent.HandlesAsync());
        (await lab.RunAsync("DEL", lab.Config(), "c1", pod.Path, pod.Label)).EnsureSuccess();
        (await lab.RunAsync("DEL", lab.Config(), "c1", null, pod.Label)).EnsureSuccess();
        (await lab.RunAsync("DEL", lab.Config(), "c1", "/run/netns/rtt-gone-already", pod.Label)).EnsureSuccess();
    }

    [SkippableFact]
    public async Task With_the_agent_down_add_is_11_naming_the_socket_and_leaves_nothing()
    {
        var socket = Path.Combine(TestKit.TestRun.NewDirectory("down"), "agent.sock");
        await using var lab = await NodeLab.StartAsync(socket);
        var pod = await lab.PodAsync("pod");

        var result = await lab.RunAsync("ADD", lab.Config(), "c1", pod.Path, pod.Label);

        Assert.NotEqual(0, result.ExitCode);
        using var json = JsonDocument.Parse(result.StandardOutput);
        Assert.Equal(11, json.RootElement.GetProperty("code").GetInt32());
        Assert.Contains(socket, json.RootElement.GetProperty("msg").GetString(), StringComparison.Ordinal);
        Assert.Empty(await lab.HostVethsAsync());
        Assert.Equal(["lo"], await NodeLab.LinksAsync(pod));
    }

    [SkippableFact]
    public async Task Add_fails_when_the_interface_exists_and_leaves_nothing_behind()
    {
        await using var lab = await NodeLab.StartAsync(agent.SocketPath);
        var pod = await lab.PodAsync("pod");
        await pod.IpAsync("link", "add", "eth0", "type", "veth", "peer", "name", "eth0-peer");

        var result = await lab.RunAsync("ADD", lab.Config(), "c1", pod.Path, pod.Label);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("CNI_IFNAME eth0 already exists", result.StandardOutput, StringComparison.Ordinal);
        Assert.Empty(await lab.HostVethsAsync());
        Assert.Empty(await agent.HandlesAsync());
    }

    [SkippableFact]
    public async Task Check_passes_after_add_and_detects_a_deleted_host_route()
    {
        await using var lab = await NodeLab.StartAsync(agent.SocketPath);
        var pod = await lab.PodAsync("pod");
        var (result, address) = await lab.AddAsync(pod, "c1");
        var withPrev = lab.Config(extra: $$""","prevResult":{{result}}""");

        (await lab.RunAsync("CHECK", withPrev, "c1", pod.Path, pod.Label)).EnsureSuccess();

        await lab.Node.IpAsync("route", "del", $"{address}/32");
        var check = await lab.RunAsync("CHECK", withPrev, "c1", pod.Path, pod.Label);
        Assert.NotEqual(0, check.ExitCode);
        using var json = JsonDocument.Parse(check.StandardOutput);
        Assert.Equal(102, json.RootElement.GetProperty("code").GetInt32());
        Assert.Contains($"host route to {address}/32", json.RootElement.GetProperty("msg").GetString(), StringComparison.Ordinal);
    }

    /// <summary>Each thing ADD made, changed or removed behind the plugin's back: CHECK is 102 naming it.</summary>
    [SkippableTheory]
    [InlineData("pod", "link set eth0 mtu 1300", "interface eth0 in {netns} has MTU 1300, not 1400")]
    [InlineData("node", "link set {host} mtu 1300", "the host interface {host} has MTU 1300, not 1400")]
    [InlineData("pod", "address del {address}/32 dev eth0", "address {address}/32 is missing from eth0")]
    [InlineData("pod", "route del default", "the default route via 169.254.1.1 dev eth0 is missing")]
    [InlineData("pod", "route del 169.254.1.1 dev eth0", "the route to the gateway 169.254.1.1 dev eth0 scope link is missing")]
    [InlineData("node", "route replace {address}/32 dev {host} scope link proto static", "the host route to {address}/32 dev {host} has protocol 4, not the agent's 80")]
    [InlineData("node", "route replace {address}/32 dev {host} scope global proto 80", "the host route to {address}/32 dev {host} has scope 0, not link")]
    [InlineData("node", "sysctl net.ipv4.conf.{host}.proxy_arp=0", "net.ipv4.conf.{host}.proxy_arp is 0, not 1")]
    [InlineData("node", "sysctl net.ipv4.neigh.{host}.proxy_delay=80", "net.ipv4.neigh.{host}.proxy_delay is 80, not 0")]
    public async Task Check_is_102_naming_what_changed_since_add(string where, string change, string message)
    {
        await using var lab = await NodeLab.StartAsync(agent.SocketPath);
        var pod = await lab.PodAsync("pod");
        var (result, address) = await lab.AddAsync(pod, "c1");
        var withPrev = lab.Config(extra: $$""","prevResult":{{result}}""");
        (await lab.RunAsync("CHECK", withPrev, "c1", pod.Path, pod.Label)).EnsureSuccess();
        using var added = JsonDocument.Parse(result);
        var hostVeth = added.RootElement.GetProperty("interfaces")[0].GetProperty("name").GetString()!;
        string Fill(string text) => text.Replace("{host}", hostVeth, StringComparison.Ordinal)
            .Replace("{address}", address, StringComparison.Ordinal).Replace("{netns}", pod.Path, StringComparison.Ordinal);

        var ns = where == "pod" ? pod : lab.Node;
        var words = Fill(change).Split(' ');
        (await (words[0] == "sysctl" ? ns.RunAsync("sysctl", "-qw", words[1]) : ns.RunAsync("ip", words))).EnsureSuccess();

        var check = await lab.RunAsync("CHECK", withPrev, "c1", pod.Path, pod.Label);
        Assert.NotEqual(0, check.ExitCode);
        using var json = JsonDocument.Parse(check.StandardOutput);
        Assert.Equal(102, json.RootElement.GetProperty("code").GetInt32());
        Assert.Contains(Fill(message), json.RootElement.GetProperty("msg").GetString(), StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task Gc_and_status_answer_through_the_binary()
    {
        await using var lab = await NodeLab.StartAsync(agent.SocketPath);
        var pod = await lab.PodAsync("pod");
        await lab.AddAsync(pod, "c1");

        (await lab.RunAsync("STATUS", lab.Config(), string.Empty, null, string.Empty)).EnsureSuccess();
        (await lab.RunAsync("GC", lab.Config(extra: ""","cni.dev/valid-attachments":[]"""), string.Empty, null, string.Empty)).EnsureSuccess();

        Assert.Empty(await agent.HandlesAsync());
    }
}
