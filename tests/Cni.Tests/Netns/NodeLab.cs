using System.Text.Json;
using Routing.TestKit.Namespaces;
using Routing.TestKit.Processes;

namespace Routing.Cni.Tests.Netns;

/// <summary>
/// A "node" that is itself a network namespace (never the real host), pods as namespaces, and the
/// plugin binary run inside the node (<c>ip netns exec NODE env CNI_…=… routing-cni</c>) so that its
/// "host" side is the node's namespace.
/// </summary>
internal sealed class NodeLab : IAsyncDisposable
{
    /// <summary>The node's own address, on its uplink.</summary>
    public const string NodeAddress = "192.0.2.1";

    private readonly List<NetNs> namespaces = [];

    private NodeLab(NetNs node, string agentSocket)
    {
        Node = node;
        AgentSocket = agentSocket;
        namespaces.Add(node);
    }

    public NetNs Node { get; }

    public string AgentSocket { get; }

    /// <summary>
    /// A node that forwards, with a default route out of an uplink: proxy ARP answers for
    /// 169.254.1.1 only when it is routed out of another interface than the one asked on.
    /// </summary>
    public static async Task<NodeLab> StartAsync(string agentSocket)
    {
        PluginBinary.Require();
        var node = await NetNs.CreateAsync("node");
        var lab = new NodeLab(node, agentSocket);
        try
        {
            await node.OutputOfAsync("sysctl", "-qw", "net.ipv4.ip_forward=1", "net.ipv6.conf.all.forwarding=1");
            // No dummy module on this kernel: a veth pair inside the node stands in for its uplink.
            await node.IpAsync("link", "add", "uplink", "type", "veth", "peer", "name", "uplink-peer");
            await node.SetUpAsync("uplink-peer");
            await node.AddAddressAsync("uplink", NodeAddress + "/24");
            await node.SetUpAsync("uplink");
            await node.AddRouteAsync("default", "via", "192.0.2.254", "dev", "uplink");
        }
        catch
        {
            await lab.DisposeAsync();
            throw;
        }

        return lab;
    }

    public async Task<NetNs> PodAsync(string label)
    {
        var pod = await NetNs.CreateAsync(label);
        namespaces.Add(pod);
        return pod;
    }

    public string Config(string cniVersion = "1.1.0", string extra = "", int timeoutSeconds = 5) =>
        $$"""{"cniVersion":"{{cniVersion}}","name":"k8s-pod-network","type":"routing","agentSocket":"{{AgentSocket}}","mtu":1400,"agentTimeoutSeconds":{{timeoutSeconds}}{{extra}}}""";

    /// <summary>Runs the plugin in the node for a pod (<paramref name="netns"/> null: as DEL after the namespace went).</summary>
    public Task<CommandResult> RunAsync(string command, string config, string containerId, string? netns, string podName, string ifName = "eth0") =>
        Node.RunAsync("env", [
            $"CNI_COMMAND={command}",
            $"CNI_CONTAINERID={containerId}",
            $"CNI_NETNS={netns ?? string.Empty}",
            $"CNI_IFNAME={ifName}",
            "CNI_PATH=/usr/lib/cni",
            $"CNI_ARGS=IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME={podName}",
            PluginBinary.Path,
        ], config);

    /// <summary>ADD that must succeed; returns the result and the pod's IPv4 address.</summary>
    public async Task<(string Result, string Address)> AddAsync(NetNs pod, string containerId, string? config = null)
    {
        var result = await RunAsync("ADD", config ?? Config(), containerId, pod.Path, pod.Label);
        Assert.True(result.ExitCode == 0, $"ADD failed: {result.StandardOutput} {result.StandardError}");
        using var json = JsonDocument.Parse(result.StandardOutput);
        var address = json.RootElement.GetProperty("ips")[0].GetProperty("address").GetString()!;
        return (result.StandardOutput, address.Split('/')[0]);
    }

    /// <summary>The node's links whose name starts with "cali".</summary>
    public async Task<IReadOnlyList<string>> HostVethsAsync()
    {
        using var json = JsonDocument.Parse(await Node.IpAsync("-j", "link", "show"));
        return [.. json.RootElement.EnumerateArray().Select(l => l.GetProperty("ifname").GetString()!).Where(n => n.StartsWith("cali", StringComparison.Ordinal))];
    }

    public static async Task<IReadOnlyList<string>> LinksAsync(NetNs ns)
    {
        using var json = JsonDocument.Parse(await ns.IpAsync("-j", "link", "show"));
        return [.. json.RootElement.EnumerateArray().Select(l => l.GetProperty("ifname").GetString()!)];
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var ns in namespaces)
        {
            await ns.DisposeAsync();
        }
    }
}
