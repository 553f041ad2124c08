using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Routing.Agent.PolicyRules;
using Routing.Dataplane.Commands;
using Routing.Policy.Compilation;
using Routing.Policy.Model;
using Routing.Policy.Tests.Kit;
using Routing.TestKit;
using Routing.TestKit.Namespaces;

namespace Routing.Policy.Tests.Conformance;

/// <summary>
/// The 3 × 3 pod network, built once for a test class: a node namespace and one namespace per pod
/// (x/a … z/c), each wired to the node by a veth (pod side eth0 with a /32 and a default route via
/// 169.254.1.1, node side calixa… with a /32 route to the pod and proxy ARP, as Calico wires pods).
/// Every pod serves TCP and UDP on 80 and 81 from sockets of this process opened in its namespace
/// (TCP: accept and close; UDP: echo). Policies are applied in the node's FORWARD path with the
/// agent's compiler and dataplane.
/// </summary>
public sealed class PodNetwork : IAsyncLifetime
{
    private const string Gateway = "169.254.1.1";

    private readonly SemaphoreSlim started = new(1, 1);
    private readonly List<NetNs> namespaces = [];
    private readonly Dictionary<string, NetNs> pods = new(StringComparer.Ordinal);
    private readonly ConcurrentBag<Socket> servers = [];
    private readonly CancellationTokenSource stopping = new();
    private readonly List<Task> serving = [];
    private NetNs? node;
    private PolicyDataplane? dataplane;

    public PolicyCompiler Compiler { get; } = new();

    public NetNs Node => node ?? throw new InvalidOperationException("not started");

    /// <summary>Builds the network on first use; skips the test where namespaces cannot be made.</summary>
    public async Task StartAsync()
    {
        TestRun.RequireNamespaces();
        await started.WaitAsync();
        try
        {
            if (node is not null)
            {
                return;
            }

            var n = await NetNs.CreateAsync("pnode");
            namespaces.Add(n);
            await n.OutputOfAsync("sysctl", "-qw", "net.ipv4.ip_forward=1");
            // The pods' gateway: a local address of the node answers their ARP on any veth.
            await n.IpAsync("address", "add", Gateway + "/32", "dev", "lo");
            foreach (var ns in Cluster.NamespaceNames)
            {
                foreach (var pod in Cluster.PodNames)
                {
                    await AddPodAsync(n, ns, pod);
                }
            }

            dataplane = new PolicyDataplane(Compiler.Options, new ProcessCommandRunner(n.Name));
            node = n;
        }
        finally
        {
            started.Release();
        }
    }

    private async Task AddPodAsync(NetNs n, string ns, string pod)
    {
        var p = await NetNs.CreateAsync($"p{ns}{pod}");
        namespaces.Add(p);
        pods[$"{ns}/{pod}"] = p;
        var hostSide = Cluster.InterfaceOf(ns, pod);
        var address = Cluster.AddressOf(ns, pod).ToString();
        await VethPair.CreateAsync(n, p, hostSide, "eth0");
        await n.OutputOfAsync("sysctl", "-qw", $"net.ipv4.conf.{hostSide}.proxy_arp=1");
        await n.IpAsync("route", "add", address + "/32", "dev", hostSide);
        await p.IpAsync("address", "add", address + "/32", "dev", "eth0");
        await p.IpAsync("route", "add", Gateway, "dev", "eth0", "scope", "link");
        await p.IpAsync("route", "add", "default", "via", Gateway, "dev", "eth0");
        foreach (var port in Cluster.Ports)
        {
            var tcp = p.CreateSocket(AddressFamily.InterNetwork);
            tcp.Bind(new IPEndPoint(IPAddress.Any, port));
            tcp.Listen(1024);
            servers.Add(tcp);
            serving.Add(ServeTcpAsync(tcp));
            var udp = p.CreateSocket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            udp.Bind(new IPEndPoint(IPAddress.Any, port));
            servers.Add(udp);
            serving.Add(ServeUdpAsync(udp));
        }
    }

    private async Task ServeTcpAsync(Socket listener)
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

    private async Task ServeUdpAsync(Socket socket)
    {
        var buffer = new byte[64];
        try
        {
            while (!stopping.IsCancellationRequested)
            {
                var received = await socket.ReceiveFromAsync(buffer, new IPEndPoint(IPAddress.Any, 0), stopping.Token);
                await socket.SendToAsync(buffer.AsMemory(0, received.ReceivedBytes), received.RemoteEndPoint, stopping.Token);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    /// <summary>Compiles <paramref name="model"/> and applies it in the node namespace.</summary>
    public Task<PolicyApplyResult> ApplyAsync(PolicyModel model) =>
        dataplane!.ApplyAsync(Compiler.Compile(model));

    /// <summary>
    /// Probes every cell with real packets, all at once. Cells that come out denied where
    /// <paramref name="expected"/> allows them are probed again (twice, waiting longer) so that a
    /// slow machine does not pass for a dropped packet; an unexpected answer is never a fluke.
    /// </summary>
    public async Task<Dictionary<Probe, bool>> ProbeAllAsync(IEnumerable<Probe> probes, Func<Probe, bool> expected)
    {
        // Probes stand for new connections. Conntrack remembers the flows of earlier cases (UDP for
        // minutes), and a probe whose source port happens to repeat one would pass as a reply.
        await Node.OutputOfAsync("conntrack", "-F");
        var results = new Dictionary<Probe, bool>();
        var pending = probes.ToList();
        foreach (var wait in new[] { TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(3) })
        {
            var sockets = pending.Select(p => Socket(p)).ToArray();
            var outcomes = await Task.WhenAll(pending.Select((p, i) => ProbeAsync(sockets[i], p, wait)));
            var denied = new List<Probe>();
            for (var i = 0; i < pending.Count; i++)
            {
                results[pending[i]] = outcomes[i];
                if (!outcomes[i] && expected(pending[i]))
                {
                    denied.Add(pending[i]);
                }
            }

            pending = denied;
            if (pending.Count == 0)
            {
                break;
            }
        }

        return results;
    }

    private Socket Socket(Probe probe) => probe.Protocol == PolicyProtocol.Tcp
        ? pods[probe.From].CreateSocket(AddressFamily.InterNetwork)
        : pods[probe.From].CreateSocket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);

    private static async Task<bool> ProbeAsync(Socket socket, Probe probe, TimeSpan wait)
    {
        using (socket)
        {
            var (ns, pod) = (probe.To.Split('/')[0], probe.To.Split('/')[1]);
            var target = new IPEndPoint(Cluster.AddressOf(ns, pod), probe.Port);
            using var timeout = new CancellationTokenSource(wait);
            try
            {
                if (probe.Protocol == PolicyProtocol.Tcp)
                {
                    await socket.ConnectAsync(target, timeout.Token);
                    return true;
                }

                await socket.ConnectAsync(target, timeout.Token);
                var buffer = new byte[64];
                var receive = socket.ReceiveAsync(buffer, timeout.Token).AsTask();
                // Datagrams may be lost on a busy machine: send a few while waiting for the echo.
                for (var i = 0; i < 3 && !receive.IsCompleted; i++)
                {
                    await socket.SendAsync("probe"u8.ToArray(), timeout.Token);
                    await Task.WhenAny(receive, Task.Delay(wait / 4, timeout.Token));
                }

                return await receive > 0;
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException)
            {
                return false;
            }
        }
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await stopping.CancelAsync();
        foreach (var socket in servers)
        {
            socket.Dispose();
        }

        await Task.WhenAll(serving);
        for (var i = namespaces.Count - 1; i >= 0; i--)
        {
            await namespaces[i].DisposeAsync();
        }

        stopping.Dispose();
        started.Dispose();
    }
}
