using Apipb;
using Routing.Agent.Api.Grpc;
using Routing.TestKit.GoBgp;
using Routing.TestKit.Namespaces;
using Routing.TestKit.Processes;

namespace Routing.TestKit.Daemons;

/// <summary>
/// A real gobgpd in a namespace, configured and queried through its gRPC API on a unix socket
/// (reachable from the test process whatever namespace gobgpd runs in).
/// </summary>
public sealed class GoBgpDaemon : IDaemon
{
    private readonly NetNs ns;
    private readonly Global global;
    private DaemonProcess process;

    private GoBgpDaemon(NetNs ns, DaemonProcess process, string socketPath, Global global)
    {
        this.ns = ns;
        this.process = process;
        this.global = global;
        Api = new GoBgpClient(socketPath);
        SocketPath = socketPath;
    }

    public string Name => process.Name;

    /// <summary>The gRPC API, for anything the helpers below do not cover (a new client after <see cref="RestartAsync"/>).</summary>
    public GoBgpClient Api { get; private set; }

    public string SocketPath { get; }

    public int Pid => process.Pid;

    /// <summary>The gobgpd process, e.g. to <see cref="DaemonProcess.Pause"/> it.</summary>
    public DaemonProcess Process => process;

    /// <summary>Starts gobgpd, waits for its API, and starts BGP with the given identity.</summary>
    public static async Task<GoBgpDaemon> StartAsync(
        NetNs ns,
        uint asn,
        string routerId,
        int listenPort = 179,
        IEnumerable<string>? listenAddresses = null,
        TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(ns);
        var dir = TestRun.NewDirectory($"gobgp-{ns.Label}");
        var socket = System.IO.Path.Combine(dir, "api.sock");
        var global = new Global { Asn = asn, RouterId = routerId, ListenPort = listenPort };
        global.ListenAddresses.AddRange(listenAddresses ?? []);
        var daemon = new GoBgpDaemon(ns, Launch(ns, socket), socket, global);
        try
        {
            await daemon.StartBgpAsync(timeout).ConfigureAwait(false);
        }
        catch
        {
            await daemon.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return daemon;
    }

    private static DaemonProcess Launch(NetNs ns, string socket) =>
        ns.StartProcess("gobgpd", "gobgpd", ["--api-hosts", $"unix://{socket}", "--pprof-disable", "--log-plain", "--log-level", "debug"]);

    private async Task StartBgpAsync(TimeSpan? timeout)
    {
        await Readiness.WaitAsync(process, "gobgpd's gRPC API", async ct =>
        {
            if (!File.Exists(SocketPath))
            {
                return false;
            }

            try
            {
                await Api.GetBgpAsync(ct).ConfigureAwait(false);
            }
            catch (GrpcStatusException)
            {
                // "bgp server hasn't started yet": the API answers, which is all we wait for.
            }

            return true;
        }, timeout).ConfigureAwait(false);

        await Api.StartBgpAsync(global).ConfigureAwait(false);
    }

    /// <summary>
    /// Kills gobgpd (SIGKILL, as a crash) and starts it again with the same identity. gobgpd keeps
    /// no configuration of its own: the caller adds its neighbours and paths again.
    /// </summary>
    public async Task RestartAsync(TimeSpan? timeout = null)
    {
        await process.KillAsync().ConfigureAwait(false);
        File.Delete(SocketPath);
        Api.Dispose();
        Api = new GoBgpClient(SocketPath);
        process = Launch(ns, SocketPath);
        await StartBgpAsync(timeout).ConfigureAwait(false);
    }

    /// <summary>Adds a neighbour with IPv4 and IPv6 unicast enabled and short timers for tests (keepalive a third of the hold time).</summary>
    public Task AddNeighborAsync(string address, uint peerAsn, string? password = null, ushort holdTime = 9, CancellationToken cancellationToken = default)
    {
        var peer = new Peer
        {
            Conf = new PeerConf { NeighborAddress = address, PeerAsn = peerAsn, AuthPassword = password ?? string.Empty },
            Timers = new Timers { Config = new TimersConfig { ConnectRetry = 1, HoldTime = holdTime, KeepaliveInterval = Math.Max(1u, holdTime / 3u) } },
        };
        peer.AfiSafis.Add(new AfiSafi { Config = new AfiSafiConfig { Family = GoBgpClient.Ipv4Unicast, Enabled = true } });
        peer.AfiSafis.Add(new AfiSafi { Config = new AfiSafiConfig { Family = GoBgpClient.Ipv6Unicast, Enabled = true } });
        return Api.AddPeerAsync(peer, cancellationToken);
    }

    /// <summary>The session state of the neighbour at <paramref name="address"/>, or null if gobgpd has no such neighbour.</summary>
    public async Task<PeerState.Types.SessionState?> SessionStateAsync(string address, CancellationToken cancellationToken = default)
    {
        return (await NeighborAsync(address, cancellationToken).ConfigureAwait(false))?.State.SessionState;
    }

    /// <summary>Prefixes in gobgpd's global RIB (Loc-RIB) for a family (IPv4 unicast by default).</summary>
    public async Task<IReadOnlyList<string>> RibPrefixesAsync(Family? family = null, CancellationToken cancellationToken = default)
    {
        var request = new ListPathRequest { TableType = TableType.Global, Family = family ?? GoBgpClient.Ipv4Unicast };
        var destinations = await Api.ListPathAsync(request, cancellationToken).ConfigureAwait(false);
        return destinations.Select(d => d.Prefix).ToArray();
    }

    /// <summary>Prefixes received from <paramref name="neighbor"/> (its Adj-RIB-In).</summary>
    public async Task<IReadOnlyList<string>> AdjRibInPrefixesAsync(string neighbor, Family? family = null, CancellationToken cancellationToken = default)
    {
        var request = new ListPathRequest { TableType = TableType.AdjIn, Name = neighbor, Family = family ?? GoBgpClient.Ipv4Unicast };
        var destinations = await Api.ListPathAsync(request, cancellationToken).ConfigureAwait(false);
        return destinations.Select(d => d.Prefix).ToArray();
    }

    /// <summary>The paths of gobgpd's global RIB for a family, with their attributes.</summary>
    public async Task<IReadOnlyList<GoBgpPath>> RibPathsAsync(Family? family = null, CancellationToken cancellationToken = default)
    {
        var request = new ListPathRequest { TableType = TableType.Global, Family = family ?? GoBgpClient.Ipv4Unicast };
        var destinations = await Api.ListPathAsync(request, cancellationToken).ConfigureAwait(false);
        return destinations.SelectMany(d => d.Paths.Select(p => GoBgpPaths.Read(d, p))).ToArray();
    }

    /// <summary>The paths gobgpd received from <paramref name="neighbor"/> (its Adj-RIB-In) for a family, with their attributes.</summary>
    public async Task<IReadOnlyList<GoBgpPath>> AdjRibInPathsAsync(string neighbor, Family? family = null, CancellationToken cancellationToken = default)
    {
        var request = new ListPathRequest { TableType = TableType.AdjIn, Name = neighbor, Family = family ?? GoBgpClient.Ipv4Unicast };
        var destinations = await Api.ListPathAsync(request, cancellationToken).ConfigureAwait(false);
        return destinations.SelectMany(d => d.Paths.Select(p => GoBgpPaths.Read(d, p))).ToArray();
    }

    /// <summary>The neighbour at <paramref name="address"/> as gobgpd reports it (state, message counters), or null.</summary>
    public async Task<Peer?> NeighborAsync(string address, CancellationToken cancellationToken = default)
    {
        var peers = await Api.ListPeerAsync(address, cancellationToken).ConfigureAwait(false);
        return peers.Count == 0 ? null : peers[0];
    }

    /// <summary>Originates <paramref name="prefix"/> from gobgpd with <paramref name="nextHop"/>.</summary>
    public Task AnnounceAsync(string prefix, string nextHop, uint? med = null, IEnumerable<uint>? communities = null, uint? localPref = null) =>
        Api.AddPathAsync(GoBgpPaths.Originate(prefix, nextHop, med, communities, localPref));

    /// <summary>Withdraws a prefix gobgpd originated with <see cref="AnnounceAsync"/>.</summary>
    public Task WithdrawAsync(string prefix, string nextHop) => Api.DeletePathAsync(GoBgpPaths.Originate(prefix, nextHop));

    public string ReadLog() => process.ReadLog();

    public async ValueTask DisposeAsync()
    {
        Api.Dispose();
        await process.DisposeAsync().ConfigureAwait(false);
    }
}
