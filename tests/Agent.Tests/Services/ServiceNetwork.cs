using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Routing.Agent.Datastore.Memory;
using Routing.Agent.Datastore.Store;
using Routing.Agent.Services.Proxy;
using Routing.Dataplane.Commands;
using Routing.TestKit;
using Routing.TestKit.Namespaces;

namespace Routing.Agent.Tests.Services;

/// <summary>
/// A node with pods, a router beside it, and the service proxy running for the node, built once
/// for a test class. The node namespace has 10.0.0.1/24 towards the router (10.0.0.2) and wires
/// each pod as Calico does (pod eth0 with a /32 and a default route via 169.254.1.1, a /32 route
/// and proxy ARP on the node side). Pods p1–p3 (10.244.0.11–13) serve TCP 8080 (they answer
/// "NAME SOURCE-ADDRESS") and UDP 5353 (they answer "NAME"); the client pod is 10.244.0.20. The proxy
/// follows an in-memory datastore the tests write Services and EndpointSlices to.
/// </summary>
public class ServiceNetwork : IAsyncLifetime
{
    public const string NodeAddress = "10.0.0.1";
    public const string RouterAddress = "10.0.0.2";
    public const string ClientAddress = "10.244.0.20";
    private const string Gateway = "169.254.1.1";

    private readonly SemaphoreSlim started = new(1, 1);
    private readonly List<NetNs> namespaces = [];
    private readonly ConcurrentBag<Socket> servers = [];
    private readonly CancellationTokenSource stopping = new();
    private readonly List<Task> serving = [];
    private Task? proxyRun;

    public MemoryResourceStore Store { get; } = new();

    public NetNs Node { get; private set; } = null!;

    public NetNs Router { get; private set; } = null!;

    public NetNs Client { get; private set; } = null!;

    /// <summary>The serving pods p1, p2 and p3 (<see cref="PodAddress"/> 1 to 3), in order.</summary>
    public List<NetNs> Pods { get; } = [];

    public ServiceProxy Proxy { get; private set; } = null!;

    public static string PodAddress(int pod) => $"10.244.0.{10 + pod}";

    public async Task StartAsync()
    {
        TestRun.RequireNamespaces();
        await started.WaitAsync();
        try
        {
            if (proxyRun is not null)
            {
                return;
            }

            Node = await AddAsync("snode");
            await Node.OutputOfAsync("sysctl", "-qw", "net.ipv4.ip_forward=1");
            await Node.IpAsync("address", "add", Gateway + "/32", "dev", "lo");
            Router = await AddAsync("srouter");
            var link = await VethPair.CreateAsync(Node, Router, "eth0", "eth0");
            await Node.AddAddressAsync(link.AName, NodeAddress + "/24");
            await Router.AddAddressAsync(link.BName, RouterAddress + "/24");
            await Node.SetUpAsync(link.AName);
            await Router.SetUpAsync(link.BName);
            // As on a real node, a default route: the kernel routes a packet to a service IP before
            // any nat rule sees it. The router has none, so nothing loops between the two.
            await Node.AddRouteAsync("default", "via", RouterAddress);
            for (var i = 1; i <= 3; i++)
            {
                var pod = await AddPodAsync($"p{i}", PodAddress(i));
                Serve(pod, $"p{i}");
                Pods.Add(pod);
            }

            Client = await AddPodAsync("client", ClientAddress);
            Proxy = new ServiceProxy(
                new ServiceProxyOptions
                {
                    NodeName = "node1",
                    NodeAddresses = [IPAddress.Parse(NodeAddress)],
                    ClusterCidrV4 = "10.244.0.0/16",
                    Coalesce = TimeSpan.FromMilliseconds(5),
                },
                Store,
                Runner(Node.Name),
                NullLogger.Instance);
            proxyRun = Task.Run(() => Proxy.RunAsync(stopping.Token));
        }
        finally
        {
            started.Release();
        }
    }

    /// <summary>How the proxy runs iptables in the node namespace.</summary>
    protected virtual ICommandRunner Runner(string node) => new ProcessCommandRunner(node);

    private async Task<NetNs> AddAsync(string label)
    {
        var ns = await NetNs.CreateAsync(label);
        namespaces.Add(ns);
        return ns;
    }

    private async Task<NetNs> AddPodAsync(string name, string address)
    {
        var pod = await AddAsync("s" + name);
        var hostSide = "cali" + name;
        await VethPair.CreateAsync(Node, pod, hostSide, "eth0");
        await Node.SetUpAsync(hostSide);
        await pod.SetUpAsync("eth0");
        await Node.OutputOfAsync("sysctl", "-qw", $"net.ipv4.conf.{hostSide}.proxy_arp=1");
        await Node.IpAsync("route", "add", address + "/32", "dev", hostSide);
        await pod.IpAsync("address", "add", address + "/32", "dev", "eth0");
        await pod.IpAsync("route", "add", Gateway, "dev", "eth0", "scope", "link");
        await pod.IpAsync("route", "add", "default", "via", Gateway, "dev", "eth0");
        return pod;
    }

    private void Serve(NetNs pod, string name)
    {
        var tcp = pod.CreateSocket(AddressFamily.InterNetwork);
        tcp.Bind(new IPEndPoint(IPAddress.Any, 8080));
        tcp.Listen(1024);
        servers.Add(tcp);
        serving.Add(ServeTcpAsync(tcp, name));
        var udp = pod.CreateSocket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        udp.Bind(new IPEndPoint(IPAddress.Any, 5353));
        servers.Add(udp);
        serving.Add(ServeUdpAsync(udp, name));
    }

    private async Task ServeTcpAsync(Socket listener, string name)
    {
        try
        {
            while (!stopping.IsCancellationRequested)
            {
                using var client = await listener.AcceptAsync(stopping.Token);
                var source = ((IPEndPoint)client.RemoteEndPoint!).Address;
                await client.SendAsync(Encoding.ASCII.GetBytes($"{name} {source}\n"), stopping.Token);
                client.Shutdown(SocketShutdown.Both);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    private async Task ServeUdpAsync(Socket socket, string name)
    {
        var buffer = new byte[64];
        try
        {
            while (!stopping.IsCancellationRequested)
            {
                var received = await socket.ReceiveFromAsync(buffer, new IPEndPoint(IPAddress.Any, 0), stopping.Token);
                await socket.SendToAsync(Encoding.ASCII.GetBytes(name), received.RemoteEndPoint, stopping.Token);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    /// <summary>A TCP connection from <paramref name="from"/>: the server's answer, or the socket error (ConnectionRefused, TimedOut).</summary>
    public static async Task<string> TcpAsync(NetNs from, string address, int port, int seconds = 3)
    {
        using var socket = from.CreateSocket(AddressFamily.InterNetwork);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        try
        {
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Parse(address), port), timeout.Token);
            var buffer = new byte[128];
            var n = await socket.ReceiveAsync(buffer, timeout.Token);
            return Encoding.ASCII.GetString(buffer, 0, n).Trim();
        }
        catch (SocketException e)
        {
            return e.SocketErrorCode.ToString();
        }
        catch (OperationCanceledException)
        {
            return "TimedOut";
        }
    }

    /// <summary>One datagram and its answer over <paramref name="socket"/> (connected UDP): the answer or the socket error.</summary>
    public static async Task<string> UdpAsync(Socket socket, int seconds = 2)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        var buffer = new byte[64];
        try
        {
            await socket.SendAsync("ping"u8.ToArray(), timeout.Token);
            var n = await socket.ReceiveAsync(buffer, timeout.Token);
            return Encoding.ASCII.GetString(buffer, 0, n);
        }
        catch (SocketException e)
        {
            return e.SocketErrorCode.ToString();
        }
        catch (OperationCanceledException)
        {
            return "TimedOut";
        }
    }

    public Task PutAsync(string kind, string name, string json) => PutAsync(new ResourceKey(kind, "default", name), json);

    private async Task PutAsync(ResourceKey key, string json)
    {
        var current = await Store.GetAsync(key);
        _ = current is null ? await Store.CreateAsync(key, json) : await Store.UpdateAsync(key, json, current.Revision);
    }

    public Task DeleteAsync(string kind, string name) => Store.DeleteAsync(new ResourceKey(kind, "default", name));

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await stopping.CancelAsync();
        if (proxyRun is not null)
        {
            await proxyRun;
        }

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
