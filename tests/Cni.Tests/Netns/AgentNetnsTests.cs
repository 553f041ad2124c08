using System.Text.Json;
using Routing.TestKit;
using Routing.TestKit.Namespaces;

namespace Routing.Cni.Tests.Netns;

/// <summary>
/// The published plugin against the real agent (<c>routing agent</c> from a file datastore, in the
/// node's namespace): pods wired through its IPAM reach each other and the node, many at once get
/// distinct addresses that all come back, and with the agent stopped ADD is 11 and leaves nothing.
/// </summary>
[Trait("Category", "Netns")]
public sealed class AgentNetnsTests
{
    private static string NewSocket() => Path.Combine(TestRun.NewDirectory("cni-agent"), "agent.sock");

    [SkippableFact]
    public async Task Two_pods_on_one_node_reach_each_other_and_the_node()
    {
        await using var lab = await NodeLab.StartAsync(NewSocket());
        await using var agent = await NodeAgent.StartAsync(lab.Node, lab.AgentSocket);
        var pod1 = await lab.PodAsync("pod1");
        var pod2 = await lab.PodAsync("pod2");

        // The agent's first IPAM calls after its start are slow on a loaded machine: give them time.
        var config = lab.Config(timeoutSeconds: 60);
        var (_, address1) = await lab.AddAsync(pod1, "c1", config);
        var (_, address2) = await lab.AddAsync(pod2, "c2", config);

        Assert.StartsWith("10.244.0.", address1, StringComparison.Ordinal);
        Assert.NotEqual(address1, address2);
        (await pod1.RunAsync("ping", "-c", "1", "-W", "2", address2)).EnsureSuccess();
        (await pod2.RunAsync("ping", "-c", "1", "-W", "2", address1)).EnsureSuccess();
        (await pod1.RunAsync("ping", "-c", "1", "-W", "2", NodeLab.NodeAddress)).EnsureSuccess();
        (await lab.Node.RunAsync("ping", "-c", "1", "-W", "2", address2)).EnsureSuccess();
        Assert.Equal(2, await AllocatedAsync(agent));
    }

    [SkippableFact]
    public async Task Fifty_concurrent_adds_get_distinct_addresses_and_their_dels_release_them_all()
    {
        const int Pods = 50;
        await using var lab = await NodeLab.StartAsync(NewSocket());
        await using var agent = await NodeAgent.StartAsync(lab.Node, lab.AgentSocket);
        var pods = new List<NetNs>();
        for (var i = 0; i < Pods; i++)
        {
            pods.Add(await lab.PodAsync($"p{i}"));
        }

        // A loaded machine serialises 50 writers on the datastore's lock: give each call time.
        var config = lab.Config(timeoutSeconds: 60);
        var adds = await Task.WhenAll(pods.Select((pod, i) => lab.RunAsync("ADD", config, $"c{i}", pod.Path, pod.Label)));

        Assert.All(adds, a => Assert.True(a.ExitCode == 0, $"ADD failed: {a.StandardOutput} {a.StandardError}"));
        var addresses = adds.Select(a => AddressOf(a.StandardOutput)).ToList();
        Assert.Equal(Pods, addresses.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(Pods, (await lab.HostVethsAsync()).Count);
        Assert.Equal(Pods, await AllocatedAsync(agent));
        (await agent.IpamCheckAsync()).EnsureSuccess();

        var dels = await Task.WhenAll(pods.Select((pod, i) => lab.RunAsync("DEL", config, $"c{i}", pod.Path, pod.Label)));

        Assert.All(dels, d => Assert.True(d.ExitCode == 0, $"DEL failed: {d.StandardOutput} {d.StandardError}"));
        Assert.Empty(await lab.HostVethsAsync());
        Assert.Empty(PodRoutes(await lab.Node.IpAsync("route", "show")));
        Assert.Equal(0, await AllocatedAsync(agent));
        var check = (await agent.IpamCheckAsync()).EnsureSuccess();
        Assert.Contains("IPAM is consistent", check.StandardOutput, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task With_the_agent_stopped_add_is_11_and_leaves_no_veth_route_or_allocation()
    {
        await using var lab = await NodeLab.StartAsync(NewSocket());
        var agent = await NodeAgent.StartAsync(lab.Node, lab.AgentSocket);
        var pod = await lab.PodAsync("pod");
        await agent.StopAsync();

        var result = await lab.RunAsync("ADD", lab.Config(), "c1", pod.Path, pod.Label);

        Assert.NotEqual(0, result.ExitCode);
        using (var json = JsonDocument.Parse(result.StandardOutput))
        {
            Assert.Equal(11, json.RootElement.GetProperty("code").GetInt32());
            Assert.Contains("agent", json.RootElement.GetProperty("msg").GetString(), StringComparison.Ordinal);
        }

        Assert.Empty(await lab.HostVethsAsync());
        Assert.Equal(["lo"], await NodeLab.LinksAsync(pod));
        Assert.Empty(PodRoutes(await lab.Node.IpAsync("route", "show")));
        Assert.Equal(0, await AllocatedAsync(agent));
        (await agent.IpamCheckAsync()).EnsureSuccess();
        await agent.DisposeAsync();
    }

    private static string AddressOf(string result)
    {
        using var json = JsonDocument.Parse(result);
        return json.RootElement.GetProperty("ips")[0].GetProperty("address").GetString()!;
    }

    /// <summary>Addresses allocated in the pool, as `routing ipam show -o json` reports them from the datastore.</summary>
    private static async Task<int> AllocatedAsync(NodeAgent agent)
    {
        var show = (await agent.IpamShowAsync()).EnsureSuccess();
        using var json = JsonDocument.Parse(show.StandardOutput);
        return json.RootElement.GetProperty("pools").EnumerateArray().Sum(p => p.GetProperty("allocated").GetInt32());
    }

    /// <summary>
    /// The node's routes to pods (the plugin's: one address, out of an interface, proto 80). The
    /// agent's own routes of that protocol — a blackhole for the node's address block — stay.
    /// </summary>
    private static string[] PodRoutes(string routes) =>
        routes.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Where(r => r.Contains("proto 80", StringComparison.Ordinal) && r.Contains(" dev ", StringComparison.Ordinal) && !r.Contains(" via ", StringComparison.Ordinal))
            .ToArray();
}
