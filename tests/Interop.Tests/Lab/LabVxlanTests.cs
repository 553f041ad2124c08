using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Routing.Dataplane.Namespaces;
using Routing.TestKit;
using Routing.TestKit.Processes;
using Xunit.Abstractions;

namespace Routing.Interop.Tests.Lab;

/// <summary>
/// `routing lab up --encap vxlan`: the pool has vxlanMode: Always, so every node has vxlan.routing
/// (VNI 4096, port 4789, no learning) with a VTEP address from the pool, and reaches the other
/// nodes' blocks through it rather than over the racks' routers: every pod reaches every other, the
/// packets really cross the VXLAN device, an entry removed behind the agent's back comes back, a
/// restarted agent changes nothing, and natOutgoing masquerades pod traffic to outside the pools
/// (but not to pods). One lab serves all of it.
/// </summary>
[Trait("Category", "Netns")]
public sealed partial class LabVxlanTests(ITestOutputHelper output)
{
    private static readonly string RoutingDll = Path.Combine(AppContext.BaseDirectory, "routing.dll");
    private static readonly string Cni = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "..", "out", "bin", "routing-cni"));

    private static Task<CommandResult> Routing(params string[] arguments) => Command.RunAsync("dotnet", [RoutingDll, .. arguments], null, TimeSpan.FromMinutes(3));

    private static Task<CommandResult> In(string ns, params string[] arguments) => Command.RunAsync("ip", ["netns", "exec", ns, .. arguments], null, TimeSpan.FromSeconds(60));

    private static async Task<string> OutputIn(string ns, params string[] arguments)
    {
        var result = await In(ns, arguments);
        Assert.True(result.Succeeded, result.ToString());
        return result.StandardOutput;
    }

    [SkippableFact]
    public async Task Pods_reach_each_other_over_vxlan_the_agent_repairs_and_adopts_its_entries_and_natOutgoing_masquerades_only_to_outside()
    {
        Skip.IfNot(File.Exists(Cni), $"routing-cni is not published at {Cni} (scripts/setup publishes it)");
        TestRun.RequireNamespaces();
        var name = TestRun.NewNamespaceName("vx");
        var node1 = $"{name}-n1";
        try
        {
            var up = await Routing("lab", "up", "--name", name, "--nodes", "3", "--racks", "2", "--encap", "vxlan", "--cni", Cni);
            output.WriteLine(up.StandardOutput);
            Assert.True(up.Succeeded, up.ToString());
            Assert.Contains("30/30 reached", up.StandardOutput, StringComparison.Ordinal);

            // Every remote block goes via a VTEP on vxlan.routing; none over the underlay (the pods'
            // own /32 routes are the CNI plugin's).
            var link = await OutputIn(node1, "ip", "-d", "link", "show", "vxlan.routing");
            Assert.Contains("vxlan id 4096", link, StringComparison.Ordinal);
            Assert.Contains("dstport 4789 nolearning", link, StringComparison.Ordinal);
            Assert.Contains("mtu 1450", link, StringComparison.Ordinal);
            var routes = (await OutputIn(node1, "ip", "route", "show", "proto", "80")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            var remote = routes.Where(r => r.StartsWith("10.244.", StringComparison.Ordinal) && r.Split(' ')[0].Contains('/', StringComparison.Ordinal)).ToArray();
            Assert.True(remote.Length >= 2, string.Join('\n', routes));
            Assert.All(remote, r => Assert.Matches(@"^10\.244\.\S+ nhid \d+ via 10\.244\.\S+ dev vxlan\.routing onlink", r));
            var neighbours = await OutputIn(node1, "ip", "neigh", "show", "dev", "vxlan.routing");
            var fdb = await OutputIn(node1, "bridge", "fdb", "show", "dev", "vxlan.routing");
            Assert.Equal(2, neighbours.Split('\n', StringSplitOptions.RemoveEmptyEntries).Count(l => l.Contains("PERMANENT", StringComparison.Ordinal)));
            Assert.Contains("dst 10.100.2.12 self permanent", fdb, StringComparison.Ordinal);
            Assert.Contains("dst 10.100.1.13 self permanent", fdb, StringComparison.Ordinal);

            // Pings from a pod on node1 to a pod on node3 leave and come back through the device.
            var txBefore = await Counter(node1, "tx_packets");
            var rxBefore = await Counter(node1, "rx_packets");
            var target = PodAddress(up.StandardOutput, "node3-pod1");
            (await In($"{name}-n1p1", "ping", "-c", "5", "-i", "0.2", "-W", "2", target)).EnsureSuccess();
            Assert.True(await Counter(node1, "tx_packets") - txBefore >= 5);
            Assert.True(await Counter(node1, "rx_packets") - rxBefore >= 5);

            // An FDB entry and a neighbour entry removed behind the agent's back come back.
            var fdbLine = fdb.Split('\n').First(l => l.Contains("dst 10.100.2.12", StringComparison.Ordinal)).Split(' ');
            (await In(node1, "bridge", "fdb", "del", fdbLine[0], "dev", "vxlan.routing", "dst", "10.100.2.12", "self")).EnsureSuccess();
            var neighbour = neighbours.Split('\n').First(l => l.Contains("PERMANENT", StringComparison.Ordinal)).Split(' ')[0];
            (await In(node1, "ip", "neigh", "del", neighbour, "dev", "vxlan.routing")).EnsureSuccess();
            Assert.DoesNotContain("dst 10.100.2.12", await OutputIn(node1, "bridge", "fdb", "show", "dev", "vxlan.routing"), StringComparison.Ordinal);
            await Until("the removed entries come back", async () =>
                (await OutputIn(node1, "bridge", "fdb", "show", "dev", "vxlan.routing")).Contains("dst 10.100.2.12 self permanent", StringComparison.Ordinal)
                && (await OutputIn(node1, "ip", "neigh", "show", "dev", "vxlan.routing")).Contains($"{neighbour} lladdr", StringComparison.Ordinal));

            // A restarted agent adopts the device and its entries: nothing on vxlan.routing changes.
            var index = (await OutputIn(node1, "cat", "/sys/class/net/vxlan.routing/ifindex")).Trim();
            using (var state = JsonDocument.Parse(await File.ReadAllTextAsync($"/run/routing-lab/{name}/state.json")))
            {
                var pid = state.RootElement.GetProperty("processes").EnumerateArray().Single(p => p.GetProperty("name").GetString() == "node1").GetProperty("pid").GetInt32();
                (await Command.RunAsync("kill", pid.ToString(CultureInfo.InvariantCulture))).EnsureSuccess();
            }

            await Task.Delay(TimeSpan.FromSeconds(2));
            var watching = In(node1, "timeout", "15", "ip", "monitor", "route", "neigh", "link");
            var started = await Routing("lab", "start-agent", "--name", name, "node1");
            Assert.True(started.Succeeded, started.ToString());
            var monitor = await watching;
            output.WriteLine($"ip monitor during the restart:\n{monitor.StandardOutput}");
            // The kernel's own IPv6 multicast and link-local neighbours on the device come and go
            // (neighbour garbage collection) whatever the agent does: only the rest counts.
            var changes = monitor.StandardOutput.Split('\n').Where(line => line.Contains("vxlan.routing", StringComparison.Ordinal) && !KernelIpv6Neighbour().IsMatch(line));
            Assert.Empty(changes);
            Assert.Equal(index, (await OutputIn(node1, "cat", "/sys/class/net/vxlan.routing/ifindex")).Trim());
            var log = await File.ReadAllTextAsync($"/run/routing-lab/{name}/node1.log");
            Assert.Contains("2 VXLAN peers; 0 kernel changes", log, StringComparison.Ordinal);

            // natOutgoing: a pod's packet to "the internet" (the etcd's namespace, outside every pool)
            // arrives from its node's address; to another pod it keeps the pod's address.
            var pod = PodAddress(up.StandardOutput, "node1-pod1");
            Assert.Equal(pod, await SourceSeenAsync($"{name}-etcd", "10.100.0.100", $"{name}-n1p1"));
            var pool = Path.Combine(TestRun.NewDirectory("vxlan-nat"), "pool.yaml");
            await File.WriteAllTextAsync(pool, """
                apiVersion: routing.dev/v1
                kind: IPPool
                metadata: {name: pods}
                spec: {cidr: 10.244.0.0/16, blockSize: 26, vxlanMode: Always, natOutgoing: true}
                """);
            var applied = await In(node1, "dotnet", RoutingDll, "apply", "-f", pool, "--datastore", "etcd:http://10.100.0.100:2379");
            Assert.True(applied.Succeeded, applied.ToString());
            // natOutgoing's own chain (the service proxy has MASQUERADE rules of its own).
            await Until("node1 masquerades", async () =>
                (await OutputIn(node1, "iptables-save", "-t", "nat")).Contains("-A rtnat-outgoing ", StringComparison.Ordinal));
            Assert.Equal("10.100.1.11", await SourceSeenAsync($"{name}-etcd", "10.100.0.100", $"{name}-n1p1"));
            var otherPod = PodAddress(up.StandardOutput, "node2-pod1");
            Assert.Equal(pod, await SourceSeenAsync($"{name}-n2p1", otherPod, $"{name}-n1p1"));

            if (!Directory.Exists("/sys/module/ipip"))
            {
                // A pool asking for IPIP on a kernel without it: one clear error naming the module and
                // VXLAN as the alternative, and the rest keeps running.
                await File.WriteAllTextAsync(pool, """
                    apiVersion: routing.dev/v1
                    kind: IPPool
                    metadata: {name: tunnelled}
                    spec: {cidr: 10.245.0.0/16, blockSize: 26, ipipMode: Always}
                    """);
                (await In(node1, "dotnet", RoutingDll, "apply", "-f", pool, "--datastore", "etcd:http://10.100.0.100:2379")).EnsureSuccess();
                const string Error = "ipip tunnels are off on this node, the rest keeps running: the kernel has no ipip support";
                await Until("node1 reports the missing ipip module", async () =>
                    (await File.ReadAllTextAsync($"/run/routing-lab/{name}/node1.log")).Contains(Error, StringComparison.Ordinal));
                await Task.Delay(TimeSpan.FromSeconds(11)); // a resync later, still once
                log = await File.ReadAllTextAsync($"/run/routing-lab/{name}/node1.log");
                Assert.Single(log.Split('\n'), l => l.Contains(Error, StringComparison.Ordinal) && l.Contains("use VXLAN", StringComparison.Ordinal));
            }

            // CrossSubnet: node3 shares node1's rack subnet and is reached directly; node2 over VXLAN.
            await File.WriteAllTextAsync(pool, """
                apiVersion: routing.dev/v1
                kind: IPPool
                metadata: {name: pods}
                spec: {cidr: 10.244.0.0/16, blockSize: 26, vxlanMode: CrossSubnet, natOutgoing: true}
                """);
            (await In(node1, "dotnet", RoutingDll, "apply", "-f", pool, "--datastore", "etcd:http://10.100.0.100:2379")).EnsureSuccess();
            var node3Block = BlockOf(routes, PodAddress(up.StandardOutput, "node3-pod1"));
            await Until("node1 routes node3's block directly", async () =>
                (await OutputIn(node1, "ip", "route", "show", node3Block)).Contains("via 10.100.1.13 dev eth0", StringComparison.Ordinal));
            Assert.Contains("dev vxlan.routing", await OutputIn(node1, "ip", "route", "show", BlockOf(routes, otherPod)), StringComparison.Ordinal);

            // The RoutingNode applied again without the agent's fields: the agent writes them back.
            await File.WriteAllTextAsync(pool, """
                apiVersion: routing.dev/v1
                kind: RoutingNode
                metadata: {name: node1, labels: {rack: r1}}
                spec: {ipv4Address: 10.100.1.11/24, asNumber: 65001}
                """);
            (await In(node1, "dotnet", RoutingDll, "apply", "-f", pool, "--datastore", "etcd:http://10.100.0.100:2379")).EnsureSuccess();
            await Until("node1 publishes its VTEP again", async () =>
                (await OutputIn(node1, "dotnet", RoutingDll, "get", "RoutingNode", "node1", "-o", "json", "--datastore", "etcd:http://10.100.0.100:2379")).Contains("vxlanTunnelMACAddr", StringComparison.Ordinal));

            await Until("every pod reaches every other again", async () =>
                (await Routing("lab", "status", "--name", name)).StandardOutput.Contains("30/30 reached", StringComparison.Ordinal));
        }
        finally
        {
            var down = await Routing("lab", "down", "--name", name);
            output.WriteLine(down.ToString());
        }

        Assert.DoesNotContain(name, (await Command.RunAsync("ip", "netns", "list")).StandardOutput, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task The_lab_over_ipip_runs_where_the_kernel_has_ipip_and_is_refused_with_the_reason_where_not()
    {
        TestRun.RequireNamespaces();
        if (!Directory.Exists("/sys/module/ipip"))
        {
            var refused = await Routing("lab", "up", "--name", TestRun.NewNamespaceName("ip"), "--encap", "ipip", "--cni", Cni);
            Assert.False(refused.Succeeded);
            Assert.Contains("this kernel has no ipip module", refused.StandardError, StringComparison.Ordinal);
            Assert.Contains("--encap vxlan", refused.StandardError, StringComparison.Ordinal);
        }

        Skip.IfNot(Directory.Exists("/sys/module/ipip"), "the kernel lacks the ipip module");
        Skip.IfNot(File.Exists(Cni), $"routing-cni is not published at {Cni} (scripts/setup publishes it)");
        var name = TestRun.NewNamespaceName("ip");
        try
        {
            var up = await Routing("lab", "up", "--name", name, "--nodes", "3", "--racks", "2", "--encap", "ipip", "--cni", Cni);
            output.WriteLine(up.StandardOutput);
            Assert.True(up.Succeeded, up.ToString());
            Assert.Contains("30/30 reached", up.StandardOutput, StringComparison.Ordinal);
            Assert.Contains("dev tunl0 onlink", up.StandardOutput, StringComparison.Ordinal);
        }
        finally
        {
            await Routing("lab", "down", "--name", name);
        }
    }

    // The block (from the routes listed before) that holds a pod's address.
    private static string BlockOf(IEnumerable<string> routes, string pod) =>
        routes.Select(r => r.Split(' ')[0]).First(r => r.Contains('/', StringComparison.Ordinal) && IPNetwork.Parse(r).Contains(IPAddress.Parse(pod)));

    private static async Task<long> Counter(string ns, string counter) =>
        long.Parse((await OutputIn(ns, "cat", $"/sys/class/net/vxlan.routing/statistics/{counter}")).Trim(), CultureInfo.InvariantCulture);

    private static string PodAddress(string status, string pod) =>
        status.Split('\n').Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).First(f => f.Length > 2 && f[1] == pod)[2];

    // A UDP socket bound in the receiver's namespace; the pod sends one datagram with bash's /dev/udp.
    private static async Task<string> SourceSeenAsync(string receiverNs, string address, string senderNs)
    {
        using var ns = NetworkNamespace.OpenByName(receiverNs);
        using var socket = ns.Run(() => new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp));
        socket.Bind(new IPEndPoint(IPAddress.Parse(address), 0));
        var port = ((IPEndPoint)socket.LocalEndPoint!).Port;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var receiving = socket.ReceiveFromAsync(new byte[64], new IPEndPoint(IPAddress.Any, 0), timeout.Token).AsTask();
        while (!receiving.IsCompleted && !timeout.IsCancellationRequested)
        {
            await In(senderNs, "bash", "-c", $"echo hello > /dev/udp/{address}/{port}");
            await Task.WhenAny(receiving, Task.Delay(500));
        }

        var received = await receiving;
        return ((IPEndPoint)received.RemoteEndPoint).Address.ToString();
    }

    private static async Task Until(string what, Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(45);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting until {what}");
            await Task.Delay(TimeSpan.FromSeconds(1));
        }
    }

    [GeneratedRegex(@"^(Deleted )?(ff[0-9a-f]{2}|fe80):", RegexOptions.CultureInvariant)]
    private static partial Regex KernelIpv6Neighbour();
}
