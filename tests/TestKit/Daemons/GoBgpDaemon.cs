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
    private readonly DaemonProcess process;

    private GoBgpDaemon(DaemonProcess process, GoBgpClient api, string socketPath)
    {
        this.process = process;
        Api = api;
        SocketPath = socketPath;
    }

    public string Name => process.Name;

    /// <summary>The gRPC API, for anything the helpers below do not cover.</summary>
    public GoBgpClient Api { get; }

    public string SocketPath { get; }

    public int Pid => process.Pid;

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
        var process = ns.StartProcess(
            "gobgpd",
            "gobgpd",
            ["--api-hosts", $"unix://{socket}", "--pprof-disable", "--log-plain", "--log-level", "debug"]);
        var daemon = new GoBgpDaemon(process, new GoBgpClient(socket), socket);
        try
        {
            await Readiness.WaitAsync(process, "gobgpd's gRPC API", async ct =>
            {
                if (!File.Exists(socket))
                {
                    return false;
                }

                try
                {
                    await daemon.Api.GetBgpAsync(ct).ConfigureAwait(false);
                }
                catch (GrpcStatusException)
                {
                    // "bgp server hasn't started yet": the API answers, which is all we wait for.
                }

                return true;
            }, timeout).ConfigureAwait(false);

            var global = new Global { Asn = asn, RouterId = routerId, ListenPort = listenPort };
            global.ListenAddresses.AddRange(listenAddresses ?? []);
            await daemon.Api.StartBgpAsync(global).ConfigureAwait(false);
        }
        catch
        {
            await daemon.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return daemon;
    }

    /// <summary>Adds a neighbour with IPv4 and IPv6 unicast enabled and short timers for tests.</summary>
    public Task AddNeighborAsync(string address, uint peerAsn, string? password = null, CancellationToken cancellationToken = default)
    {
        var peer = new Peer
        {
            Conf = new PeerConf { NeighborAddress = address, PeerAsn = peerAsn, AuthPassword = password ?? string.Empty },
            Timers = new Timers { Config = new TimersConfig { ConnectRetry = 1, HoldTime = 9, KeepaliveInterval = 3 } },
        };
        peer.AfiSafis.Add(new AfiSafi { Config = new AfiSafiConfig { Family = GoBgpClient.Ipv4Unicast, Enabled = true } });
        peer.AfiSafis.Add(new AfiSafi { Config = new AfiSafiConfig { Family = GoBgpClient.Ipv6Unicast, Enabled = true } });
        return Api.AddPeerAsync(peer, cancellationToken);
    }

    /// <summary>The session state of the neighbour at <paramref name="address"/>, or null if gobgpd has no such neighbour.</summary>
    public async Task<PeerState.Types.SessionState?> SessionStateAsync(string address, CancellationToken cancellationToken = default)
    {
        var peers = await Api.ListPeerAsync(address, cancellationToken).ConfigureAwait(false);
        return peers.Count == 0 ? null : peers[0].State.SessionState;
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

    /// <summary>Originates <paramref name="prefix"/> from gobgpd with <paramref name="nextHop"/>.</summary>
    public Task AnnounceAsync(string prefix, string nextHop, uint? med = null, IEnumerable<uint>? communities = null) =>
        Api.AddPathAsync(GoBgpPaths.Originate(prefix, nextHop, med, communities));

    /// <summary>Withdraws a prefix gobgpd originated with <see cref="AnnounceAsync"/>.</summary>
    public Task WithdrawAsync(string prefix, string nextHop) => Api.DeletePathAsync(GoBgpPaths.Originate(prefix, nextHop));

    public string ReadLog() => process.ReadLog();

    public async ValueTask DisposeAsync()
    {
        Api.Dispose();
        await process.DisposeAsync().ConfigureAwait(false);
    }
}
