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
    private readonly NetNs? ns;
    private readonly string label;
    private readonly string[] arguments;
    private readonly TimeSpan? timeout;
    private DaemonProcess process;

    private EtcdDaemon(DaemonProcess process, Uri clientUrl, NetNs? ns, string label, string[] arguments, TimeSpan? timeout)
    {
        this.process = process;
        ClientUrl = clientUrl;
        this.ns = ns;
        this.label = label;
        this.arguments = arguments;
        this.timeout = timeout;
    }

    public string Name => process.Name;

    /// <summary>Where clients connect, e.g. http://127.0.0.1:40123.</summary>
    public Uri ClientUrl { get; }

    public int Pid => process.Pid;

    /// <param name="extraArguments">More etcd flags, e.g. <c>--experimental-watch-progress-notify-interval 1s</c>.</param>
    public static async Task<EtcdDaemon> StartAsync(NetNs? ns = null, TimeSpan? timeout = null, IEnumerable<string>? extraArguments = null)
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
            .. extraArguments ?? [],
        ];
        var daemon = new EtcdDaemon(Launch(ns, label, args), client, ns, label, args, timeout);
        await daemon.WaitReadyAsync().ConfigureAwait(false);
        return daemon;
    }

    /// <summary>Stops etcd (SIGTERM to its PID, SIGKILL after <paramref name="grace"/>), keeping its data directory and ports.</summary>
    public Task StopAsync(TimeSpan? grace = null) => process.StopAsync(grace ?? TimeSpan.FromSeconds(5));

    /// <summary>Starts etcd again after <see cref="StopAsync"/>: the same data directory, the same ports, a new PID.</summary>
    public async Task RestartAsync()
    {
        if (!process.HasExited)
        {
            throw new InvalidOperationException($"{Name} (pid {Pid}) is still running; stop it first");
        }

        process = Launch(ns, label, arguments);
        await WaitReadyAsync().ConfigureAwait(false);
    }

    private static DaemonProcess Launch(NetNs? ns, string label, string[] args) => ns is null
        ? DaemonProcess.Start($"{label}-etcd", "etcd", args)
        : ns.StartProcess("etcd", "etcd", args);

    private async Task WaitReadyAsync()
    {
        try
        {
            await Readiness.WaitAsync(process, "etcd's client endpoint", async _ =>
                (await EtcdctlAsync("endpoint", "health").ConfigureAwait(false)).Succeeded, timeout)
                .ConfigureAwait(false);
        }
        catch
        {
            await DisposeAsync().ConfigureAwait(false);
            throw;
        }
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
