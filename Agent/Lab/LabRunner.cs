using System.Globalization;
using System.Reflection;

namespace Routing.Agent.Lab;

/// <summary>Builds, shows and removes a lab (see <see cref="LabPlan"/>), recording what it makes in <see cref="LabState"/>.</summary>
internal sealed partial class LabRunner(LabPlan plan, TextWriter output, LabState? existing = null)
{
    private readonly LabState state = existing ?? new() { Prefix = plan.Prefix };
    private readonly string dir = LabState.DirectoryFor(plan.Prefix);

    /// <summary>Runs the agents with <c>--policy</c>.</summary>
    public bool Policy { init => state.Policy = value; }

    public static string SocketOf(string prefix, string node) => Path.Combine(LabState.DirectoryFor(prefix), $"{node}.sock");

    public async Task UpAsync(string cni, TimeSpan timeout, CancellationToken cancellationToken)
    {
        state.Nodes = plan.Nodes.Count;
        state.Racks = plan.Racks.Count;
        state.PodsPerNode = plan.Nodes[0].Pods.Count;
        state.Encapsulation = plan.Encapsulation;
        Directory.CreateDirectory(dir);
        state.Save();

        await Step("namespaces and links", () => BuildNetworkAsync(cancellationToken)).ConfigureAwait(false);
        await Step("etcd, with the cluster's resources", () => StartEtcdAsync(cancellationToken)).ConfigureAwait(false);
        await Step("top-of-rack routers (BIRD)", () => StartRoutersAsync(cancellationToken)).ConfigureAwait(false);
        await Step("a routing agent on every node", () => StartAgentsAsync(cancellationToken)).ConfigureAwait(false);
        await Step("pods, wired by routing-cni", () => AddPodsAsync(cni, cancellationToken)).ConfigureAwait(false);
        await Step("services with endpoints on the pods", () => AddServicesAsync(cancellationToken)).ConfigureAwait(false);
        await Step("convergence: every pod reaching every other", async () =>
        {
            var deadline = DateTime.UtcNow + timeout;
            while (true)
            {
                var matrix = await LabStatus.ProbeAsync(plan, state, cancellationToken).ConfigureAwait(false);
                if (matrix.All(p => p.Reached))
                {
                    return;
                }

                if (DateTime.UtcNow > deadline)
                {
                    throw new LabException($"not converged after {timeout.TotalSeconds:0} s: {matrix.Count(p => !p.Reached)} of {matrix.Count} pod pairs unreachable (see `routing lab status`, logs in {dir})");
                }

                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
            }
        }).ConfigureAwait(false);
    }

    private async Task Step(string what, Func<Task> action)
    {
        await output.WriteLineAsync($"lab: {what}…").ConfigureAwait(false);
        await action().ConfigureAwait(false);
        state.Save();
    }

    private async Task AddNamespaceAsync(string ns)
    {
        await LabShell.IpAsync("netns", "add", ns).ConfigureAwait(false);
        state.Namespaces.Add(ns);
        state.Save();
        await LabShell.IpAsync("-n", ns, "link", "set", "lo", "up").ConfigureAwait(false);
    }

    private static async Task BridgeAsync(string ns, string address)
    {
        await LabShell.IpAsync("-n", ns, "link", "add", "br0", "type", "bridge").ConfigureAwait(false);
        await LabShell.IpAsync("-n", ns, "addr", "add", address, "dev", "br0").ConfigureAwait(false);
        await LabShell.IpAsync("-n", ns, "link", "set", "br0", "up").ConfigureAwait(false);
    }

    /// <summary>A veth pair: <paramref name="name"/> in <paramref name="ns"/>, its peer <paramref name="bridgePort"/> in the bridge of <paramref name="bridgeNs"/>.</summary>
    private static async Task AttachAsync(string ns, string name, string address, string bridgeNs, string bridgePort)
    {
        await LabShell.IpAsync("link", "add", name, "netns", ns, "type", "veth", "peer", "name", bridgePort, "netns", bridgeNs).ConfigureAwait(false);
        await LabShell.IpAsync("-n", ns, "addr", "add", address, "dev", name).ConfigureAwait(false);
        await LabShell.IpAsync("-n", ns, "link", "set", name, "up").ConfigureAwait(false);
        await LabShell.IpAsync("-n", bridgeNs, "link", "set", bridgePort, "master", "br0", "up").ConfigureAwait(false);
    }

    private static Task<string> ForwardAsync(string ns) => LabShell.CheckAsync("sysctl", ["-qw", "net.ipv4.ip_forward=1"], ns);

    private async Task BuildNetworkAsync(CancellationToken cancellationToken)
    {
        foreach (var ns in plan.Namespaces.Where(n => !plan.Nodes.SelectMany(node => node.Pods).Any(p => p.Namespace == n)))
        {
            cancellationToken.ThrowIfCancellationRequested();
            await AddNamespaceAsync(ns).ConfigureAwait(false);
        }

        await BridgeAsync(plan.EtcdNamespace, $"{LabPlan.EtcdAddress}/24").ConfigureAwait(false);
        foreach (var rack in plan.Racks)
        {
            await BridgeAsync(rack.Namespace, $"{rack.Address}/24").ConfigureAwait(false);
            await AttachAsync(rack.Namespace, "spine", $"{rack.SpineAddress}/24", plan.EtcdNamespace, $"tor{rack.Index}").ConfigureAwait(false);
            await ForwardAsync(rack.Namespace).ConfigureAwait(false);
            await LabShell.IpAsync("-n", plan.EtcdNamespace, "route", "add", $"10.100.{rack.Index}.0/24", "via", rack.SpineAddress).ConfigureAwait(false);
        }

        foreach (var node in plan.Nodes)
        {
            var rack = plan.Racks[node.Rack - 1];
            await AttachAsync(node.Namespace, "eth0", $"{node.Address}/24", rack.Namespace, $"n{node.Index}").ConfigureAwait(false);
            await LabShell.IpAsync("-n", node.Namespace, "route", "add", "default", "via", node.Gateway).ConfigureAwait(false);
            await ForwardAsync(node.Namespace).ConfigureAwait(false);
        }
    }

    private async Task StartDaemonAsync(string name, string ns, IReadOnlyList<string> command, CancellationToken cancellationToken)
    {
        var log = Path.Combine(dir, $"{name}.log");
        if (File.Exists(log))
        {
            File.Move(log, log + ".old", overwrite: true);
        }

        var pid = await LabShell.StartDaemonAsync(ns, log, command, cancellationToken).ConfigureAwait(false);
        state.Processes.Add(new LabProcess(name, pid, Path.GetFileName(command[0])));
        state.Save();
    }

    private async Task StartEtcdAsync(CancellationToken cancellationToken)
    {
        var client = $"http://{LabPlan.EtcdAddress}:2379";
        await StartDaemonAsync("etcd", plan.EtcdNamespace,
        [
            "etcd", "--name", "lab", "--data-dir", Path.Combine(dir, "etcd"),
            "--listen-client-urls", $"{client},http://127.0.0.1:2379", "--advertise-client-urls", client,
            "--listen-peer-urls", "http://127.0.0.1:2380", "--initial-advertise-peer-urls", "http://127.0.0.1:2380",
            "--initial-cluster", "lab=http://127.0.0.1:2380", "--log-level", "warn",
        ], cancellationToken).ConfigureAwait(false);

        var resources = Path.Combine(dir, "cluster.yaml");
        await File.WriteAllTextAsync(resources, plan.Resources(), cancellationToken).ConfigureAwait(false);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var applied = await LabShell.RunAsync(Self[0], [.. Self.Skip(1), "apply", "-f", resources, "--datastore", LabPlan.Datastore], plan.EtcdNamespace, cancellationToken: cancellationToken).ConfigureAwait(false);
            if (applied.Succeeded)
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new LabException($"could not apply the cluster's resources to etcd: {applied}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(300), cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task StartRoutersAsync(CancellationToken cancellationToken)
    {
        foreach (var rack in plan.Racks)
        {
            var conf = Path.Combine(dir, $"tor{rack.Index}.conf");
            await File.WriteAllTextAsync(conf, plan.BirdConfig(rack, Path.Combine(dir, $"tor{rack.Index}.log")), cancellationToken).ConfigureAwait(false);
            // -f: in the foreground, so the PID is BIRD's own.
            await StartDaemonAsync($"tor{rack.Index}", rack.Namespace, ["bird", "-f", "-c", conf, "-s", Path.Combine(dir, $"tor{rack.Index}.ctl")], cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Starts a node's agent again (after it was stopped or killed); false when one runs already.</summary>
    public async Task<bool> StartAgentAsync(string nodeName, CancellationToken cancellationToken)
    {
        var node = plan.Nodes.FirstOrDefault(n => n.Name == nodeName) ?? throw new LabException($"the lab has no node {nodeName} (it has {string.Join(", ", plan.Nodes.Select(n => n.Name))})");
        if (state.Processes.Any(p => p.Name == node.Name && IsOurs(p)))
        {
            return false;
        }

        state.Processes.RemoveAll(p => p.Name == node.Name);
        await StartAgentAsync(node, cancellationToken).ConfigureAwait(false);
        return true;
    }

    private Task StartAgentAsync(LabNode node, CancellationToken cancellationToken) =>
        StartDaemonAsync(node.Name, node.Namespace, [.. Self, "agent", "--node", node.Name, "--datastore", LabPlan.Datastore, "--api-socket", SocketOf(plan.Prefix, node.Name), "--metrics", "127.0.0.1:9091", "--dns-listen", node.Address, "--service-proxy", "--cluster-cidr", LabPlan.PoolCidr, .. (state.Policy ? ["--policy"] : Array.Empty<string>())], cancellationToken);

    private async Task StartAgentsAsync(CancellationToken cancellationToken)
    {
        foreach (var node in plan.Nodes)
        {
            await StartAgentAsync(node, cancellationToken).ConfigureAwait(false);
        }

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!plan.Nodes.All(n => File.Exists(SocketOf(plan.Prefix, n.Name))))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new LabException($"agents not answering after 60 s; see {dir}/node*.log");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task AddPodsAsync(string cni, CancellationToken cancellationToken)
    {
        foreach (var node in plan.Nodes)
        {
            foreach (var pod in node.Pods)
            {
                await AddNamespaceAsync(pod.Namespace).ConfigureAwait(false);
                var config = $$"""{"cniVersion":"1.0.0","name":"{{plan.Prefix}}","type":"routing","mtu":1500,"agentSocket":"{{SocketOf(plan.Prefix, node.Name)}}"}""";
                var environment = new Dictionary<string, string>
                {
                    ["CNI_COMMAND"] = "ADD",
                    ["CNI_CONTAINERID"] = pod.Namespace,
                    ["CNI_NETNS"] = $"/run/netns/{pod.Namespace}",
                    ["CNI_IFNAME"] = "eth0",
                    ["CNI_PATH"] = Path.GetDirectoryName(cni)!,
                    ["CNI_ARGS"] = $"K8S_POD_NAMESPACE=lab;K8S_POD_NAME={pod.Name}",
                };
                var result = await LabShell.RunAsync(cni, [], node.Namespace, config, environment, cancellationToken).ConfigureAwait(false);
                if (!result.Succeeded)
                {
                    throw new LabException($"routing-cni ADD for {pod.Name} on {node.Name}: {result}");
                }

                state.PodAddresses[pod.Name] = PodAddress(result.StandardOutput) ?? throw new LabException($"routing-cni ADD for {pod.Name}: no address in its result: {result.StandardOutput}");
                // The pod's resolver: its node's cluster DNS, with the search path of namespace "lab".
                Dns.PodResolvConf.Write(pod.Namespace, Dns.PodResolvConf.Text("lab", node.Address));
                state.Save();
            }
        }

        await LabPods.ApplyAsync(plan, state, dir, cancellationToken).ConfigureAwait(false);
    }

    private static string? PodAddress(string result)
    {
        using var json = System.Text.Json.JsonDocument.Parse(result);
        return json.RootElement.TryGetProperty("ips", out var ips) && ips.GetArrayLength() > 0
            ? ips[0].GetProperty("address").GetString()!.Split('/')[0]
            : null;
    }

    /// <summary>How to run this program again: the executable, or `dotnet routing.dll` when hosted by dotnet.</summary>
    public static IReadOnlyList<string> Self
    {
        get
        {
            var process = Environment.ProcessPath ?? "routing";
            return Path.GetFileNameWithoutExtension(process) == "dotnet"
                ? [process, Assembly.GetExecutingAssembly().Location]
                : [process];
        }
    }

    /// <summary>Ends what the lab started (only processes it recorded, by PID, whose program still matches) and removes its namespaces and files.</summary>
    public static async Task DownAsync(LabState state, TextWriter output)
    {
        await SignalAsync(state.Processes.Where(IsOurs).Select(p => p.Pid), Term).ConfigureAwait(false);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (state.Processes.Any(IsOurs) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100).ConfigureAwait(false);
        }

        await SignalAsync(state.Processes.Where(IsOurs).Select(p => p.Pid), Kill).ConfigureAwait(false);
        foreach (var ns in Enumerable.Reverse(state.Namespaces))
        {
            // Whatever still runs in the lab's own namespaces was started there by the lab.
            var pids = await LabShell.RunAsync("ip", ["netns", "pids", ns]).ConfigureAwait(false);
            await SignalAsync(pids.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(p => int.Parse(p, CultureInfo.InvariantCulture)), Kill).ConfigureAwait(false);
            await LabShell.RunAsync("ip", ["netns", "delete", ns]).ConfigureAwait(false);
            Dns.PodResolvConf.Remove(ns);
        }

        Directory.Delete(LabState.DirectoryFor(state.Prefix), recursive: true);
        await output.WriteLineAsync($"lab {state.Prefix}: removed {state.Namespaces.Count} namespaces and {state.Processes.Count} processes").ConfigureAwait(false);
    }

    private const int Term = 15;
    private const int Kill = 9;

    private static bool IsOurs(LabProcess process)
    {
        try
        {
            var cmdline = File.ReadAllText($"/proc/{process.Pid}/cmdline");
            return cmdline.Contains(process.Program, StringComparison.Ordinal);
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>One <c>kill</c> for all of them.</summary>
    private static async Task SignalAsync(IEnumerable<int> pids, int signal)
    {
        string[] targets = [.. pids.Select(p => p.ToString(CultureInfo.InvariantCulture))];
        if (targets.Length > 0)
        {
            await LabShell.RunAsync("kill", [$"-{signal.ToString(CultureInfo.InvariantCulture)}", .. targets]).ConfigureAwait(false);
        }
    }
}
