using System.Net;
using System.Net.Sockets;
using Routing.Agent.Datastore.FileStore;
using Routing.Agent.Datastore.Store;
using Routing.Agent.PolicyRules;
using Routing.TestKit;
using Routing.TestKit.Namespaces;
using Routing.TestKit.Processes;

namespace Routing.Policy.Tests.NodeLoop;

/// <summary>
/// The real <c>routing agent --policy</c> in a node's namespace, on a file datastore holding the
/// Namespaces and Pods (this node's, wired by veths named as the CNI names them): a NetworkPolicy
/// written through the datastore blocks real connections, a change to it lets some back in, and an
/// invalid GlobalNetworkPolicy beside it is reported without holding the others back.
/// </summary>
[Trait("Category", "Netns")]
public sealed class PolicyLoopNetnsTests : IAsyncLifetime
{
    private const string Gateway = "169.254.1.1";
    private const string NodeName = "node1";

    private static readonly (string Namespace, string Pod, string Address)[] PodsOnNode =
    [
        ("x", "a", "10.201.1.1"),
        ("y", "c", "10.201.2.3"),
        ("z", "d", "10.201.3.4"),
    ];

    private readonly List<NetNs> namespaces = [];
    private readonly Dictionary<string, NetNs> pods = new(StringComparer.Ordinal);
    private readonly List<Socket> servers = [];
    private readonly CancellationTokenSource stopping = new();
    private DaemonProcess? agent;

    [SkippableFact]
    public async Task A_NetworkPolicy_written_to_the_datastore_blocks_then_its_change_allows()
    {
        TestRun.RequireNamespaces();
        var binary = Path.Combine(AppContext.BaseDirectory, "routing");
        Skip.IfNot(File.Exists(binary), $"{binary} is not built");
        var node = await NetNs.CreateAsync("polnode");
        namespaces.Add(node);
        await node.OutputOfAsync("sysctl", "-qw", "net.ipv4.ip_forward=1");
        await node.IpAsync("address", "add", Gateway + "/32", "dev", "lo");
        await node.IpAsync("address", "add", "10.201.0.1/32", "dev", "lo");
        foreach (var (ns, pod, address) in PodsOnNode)
        {
            await AddPodAsync(node, ns, pod, address);
        }

        var directory = TestRun.NewDirectory("policy-loop");
        var path = Path.Combine(directory, "cluster.yaml");
        await File.WriteAllTextAsync(path, Cluster());
        agent = node.StartProcess(
            "routing-agent",
            binary,
            ["agent", "--node", NodeName, "--datastore", $"file:{path}", "--api-socket", Path.Combine(directory, "agent.sock"), "--no-kernel-routes", "--policy", "--log-level", "Debug", "--metrics", "127.0.0.1:9091"]);

        // In force once the agent's forward chain is there; with no policy every pod reaches y/c.
        await EventuallyAsync(async () => (await node.RunAsync("iptables", "-S", "rtp-fwd")).ExitCode == 0, "the agent's chains to appear");
        Assert.True(await ReachableAsync("x/a", "10.201.2.3"));
        Assert.True(await ReachableAsync("z/d", "10.201.2.3"));

        await using var store = new FileResourceStore(path);
        var key = new ResourceKey("NetworkPolicy", "y", "guard");
        var created = await store.CreateAsync(key, Policy("""{"podSelector": {}, "policyTypes": ["Ingress"]}"""));
        await EventuallyAsync(async () => !await ReachableAsync("x/a", "10.201.2.3"), "the deny-all policy to block x/a -> y/c");
        Assert.False(await ReachableAsync("z/d", "10.201.2.3"));
        Assert.True(await ReachableAsync("y/c", "10.201.1.1"));

        // An invalid GlobalNetworkPolicy is reported and left out; the change after it still applies.
        await store.CreateAsync(ResourceKey.ClusterScoped("GlobalNetworkPolicy", "bad"), """
            {"apiVersion": "routing.dev/v1", "kind": "GlobalNetworkPolicy", "metadata": {"name": "bad"},
             "spec": {"order": 1, "doNotTrack": true, "ingress": [{"action": "Deny"}]}}
            """);
        await store.UpdateAsync(
            key,
            Policy("""{"podSelector": {}, "policyTypes": ["Ingress"], "ingress": [{"from": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "x"}}}]}]}"""),
            created.Revision);
        await EventuallyAsync(() => ReachableAsync("x/a", "10.201.2.3"), "the changed policy to let x/a in");
        Assert.False(await ReachableAsync("z/d", "10.201.2.3"));
        Assert.False(agent.HasExited);
        Assert.Contains("Policy resource GlobalNetworkPolicy/bad left out, the others apply: spec.doNotTrack", agent.ReadLog(), StringComparison.Ordinal);

        // Readiness shows the policy part applied, and what it left out.
        using var http = NamespaceHttp.ClientIn(node);
        var readyz = await http.GetStringAsync(new Uri("http://127.0.0.1:9091/readyz"));
        Assert.Contains("[+]policy ok: ", readyz, StringComparison.Ordinal);
        Assert.Contains("left out: GlobalNetworkPolicy/bad: spec.doNotTrack", readyz, StringComparison.Ordinal);
    }

    private static string Cluster()
    {
        var text = new System.Text.StringBuilder($"apiVersion: routing.dev/v1\nkind: RoutingNode\nmetadata: {{name: {NodeName}}}\nspec: {{ipv4Address: 10.201.0.1/32}}\n");
        foreach (var ns in PodsOnNode.Select(p => p.Namespace).Distinct())
        {
            text.Append($"---\napiVersion: v1\nkind: Namespace\nmetadata: {{name: {ns}}}\n");
        }

        foreach (var (ns, pod, address) in PodsOnNode)
        {
            text.Append($"---\napiVersion: v1\nkind: Pod\nmetadata: {{namespace: {ns}, name: {pod}, labels: {{pod: {pod}}}}}\nspec: {{nodeName: {NodeName}}}\nstatus: {{podIPs: [{{ip: {address}}}]}}\n");
        }

        // A pod of another node: a peer selectors may pick, with no interface here.
        text.Append("---\napiVersion: v1\nkind: Pod\nmetadata: {namespace: x, name: remote}\nspec: {nodeName: node2}\nstatus: {podIPs: [{ip: 10.201.9.9}]}\n");
        return text.ToString();
    }

    private static string Policy(string spec) =>
        $$"""{"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"namespace": "y", "name": "guard"}, "spec": {{spec}}}""";

    private async Task AddPodAsync(NetNs node, string ns, string pod, string address)
    {
        var p = await NetNs.CreateAsync($"pol{ns}{pod}");
        namespaces.Add(p);
        pods[$"{ns}/{pod}"] = p;
        var hostSide = PodInterfaceName.For(ns, pod);
        await VethPair.CreateAsync(node, p, hostSide, "eth0");
        await node.OutputOfAsync("sysctl", "-qw", $"net.ipv4.conf.{hostSide}.proxy_arp=1");
        await node.IpAsync("route", "add", address + "/32", "dev", hostSide);
        await p.IpAsync("address", "add", address + "/32", "dev", "eth0");
        await p.IpAsync("route", "add", Gateway, "dev", "eth0", "scope", "link");
        await p.IpAsync("route", "add", "default", "via", Gateway, "dev", "eth0");
        var listener = p.CreateSocket(AddressFamily.InterNetwork);
        listener.Bind(new IPEndPoint(IPAddress.Any, 80));
        listener.Listen(64);
        servers.Add(listener);
        _ = ServeAsync(listener);
    }

    private async Task ServeAsync(Socket listener)
    {
        try
        {
            while (!stopping.IsCancellationRequested)
            {
                using var client = await listener.AcceptAsync(stopping.Token);
                client.Close();
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    /// <summary>A new TCP connection from the pod to ADDRESS:80 within a second.</summary>
    private async Task<bool> ReachableAsync(string from, string address)
    {
        using var socket = pods[from].CreateSocket(AddressFamily.InterNetwork);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(1));
        try
        {
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Parse(address), 80), timeout.Token);
            return true;
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException)
        {
            return false;
        }
    }

    private async Task EventuallyAsync(Func<Task<bool>> condition, string what)
    {
        // Generous: a loaded machine starts the agent slowly; a passing run waits only as long as it must.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (await condition())
            {
                return;
            }

            Assert.False(agent!.HasExited, $"the agent exited:\n{agent.ReadLog()}");
            await Task.Delay(250);
        }

        Assert.Fail($"waited in vain for {what}; the agent's log:\n{agent!.ReadLog()}");
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await stopping.CancelAsync();
        if (agent is not null)
        {
            await agent.DisposeAsync();
        }

        foreach (var socket in servers)
        {
            socket.Dispose();
        }

        for (var i = namespaces.Count - 1; i >= 0; i--)
        {
            await namespaces[i].DisposeAsync();
        }

        stopping.Dispose();
    }
}
