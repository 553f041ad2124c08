using System.Net;
using System.Net.Sockets;
using Routing.TestKit.Namespaces;
using Routing.TestKit.Processes;

namespace Routing.TestKit.Daemons;

/// <summary>
/// A real etcd with a private data directory, listening on loopback: the host's 127.0.0.1 on free
/// ports (reachable by the test process), or a namespace's own loopback when one is given.
/// </summary>
public sealed class EtcdDaemon : IDaemon
{
    private readonly DaemonProcess process;
    private readonly NetNs? ns;

    private EtcdDaemon(DaemonProcess process, Uri clientUrl, NetNs? ns)
    {
        this.process = process;
        ClientUrl = clientUrl;
        this.ns = ns;
    }

    public string Name => process.Name;

    /// <summary>Where clients connect, e.g. http://127.0.0.1:40123.</summary>
    public Uri ClientUrl { get; }

    public int Pid => process.Pid;

    public static async Task<EtcdDaemon> StartAsync(NetNs? ns = null, TimeSpan? timeout = null)
    {
        var label = ns?.Label ?? "host";
        var dir = TestRun.NewDirectory($"etcd-{label}");
        var (clientPort, peerPort) = ns is null ? (FreePort(), FreePort()) : (2379, 2380);
        var client = new Uri($"http://127.0.0.1:{clientPort}");
        var peer = $"http://127.0.0.1:{peerPort}";
        string[] args =
        [
            "--name", "routing-test",
            "--data-dir", Path.Combine(dir, "data"),
            "--listen-client-urls", client.ToString().TrimEnd('/'),
            "--advertise-client-urls", client.ToString().TrimEnd('/'),
            "--listen-peer-urls", peer,
            "--initial-advertise-peer-urls", peer,
            "--initial-cluster", $"routing-test={peer}",
            "--initial-cluster-state", "new",
            "--log-level", "info",
        ];
        var process = ns is null
            ? DaemonProcess.Start($"{label}-etcd", "etcd", args)
            : ns.StartProcess("etcd", "etcd", args);
        var daemon = new EtcdDaemon(process, client, ns);
        try
        {
            await Readiness.WaitAsync(process, "etcd's client endpoint", async _ =>
                (await daemon.EtcdctlAsync("endpoint", "health").ConfigureAwait(false)).Succeeded, timeout)
                .ConfigureAwait(false);
        }
        catch
        {
            await daemon.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return daemon;
    }

    /// <summary>Runs <c>etcdctl</c> (v3 API) against this etcd, from inside its namespace if it has one.</summary>
    public Task<CommandResult> EtcdctlAsync(params string[] arguments)
    {
        string[] args = ["--endpoints", ClientUrl.ToString().TrimEnd('/'), "--command-timeout=3s", .. arguments];
        var environment = "ETCDCTL_API=3";
        return ns is null
            ? Command.RunAsync("env", [environment, "etcdctl", .. args], null)
            : ns.RunAsync("env", [environment, "etcdctl", .. args]);
    }

    public string ReadLog() => process.ReadLog();

    public ValueTask DisposeAsync() => process.DisposeAsync();

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
