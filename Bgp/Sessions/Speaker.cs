using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Routing.Bgp.Rib;
using Routing.Bgp.Wire;
using Routing.Bgp.Wire.Attributes;

namespace Routing.Bgp.Sessions;

/// <summary>
/// A BGP speaker: its peers, the listener that hands them incoming connections, the Loc-RIB
/// their routes go to, and the prefixes it originates. Peers are added, removed and reconfigured
/// individually, so a change to one never restarts the others.
/// </summary>
public sealed partial class Speaker : IPeerHost, IAsyncDisposable
{
    private readonly ConcurrentDictionary<IPAddress, Peer> peers = new();
    private readonly List<Socket> listeners = [];
    private readonly CancellationTokenSource stopping = new();
    private readonly ILogger logger;
    // What every originated route shares in the Loc-RIB (the attributes peers are sent are per session).
    private static readonly PathInfo OriginatedIPv4 = new(new PathAttributes { Origin = Origin.Igp }, IPAddress.Any, RouteSource.Local);
    private static readonly PathInfo OriginatedIPv6 = OriginatedIPv4 with { NextHop = IPAddress.IPv6Any };
    private readonly Func<AddressFamily, Socket> socketFactory;
    private volatile Prefix[] originated = [];

    /// <param name="socketFactory">Creates TCP sockets; by default in the calling process's namespace.</param>
    public Speaker(SpeakerConfig config, ILoggerFactory? loggerFactory = null, TimeProvider? time = null, Func<AddressFamily, Socket>? socketFactory = null)
    {
        Config = config ?? throw new ArgumentNullException(nameof(config));
        this.socketFactory = socketFactory ?? (family => new Socket(family, SocketType.Stream, ProtocolType.Tcp));
        LoggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        Time = time ?? TimeProvider.System;
        logger = LoggerFactory.CreateLogger<Speaker>();
        FollowBestPathsIfReflector();
    }

    public SpeakerConfig Config { get; }

    public TimeProvider Time { get; }

    public ILoggerFactory LoggerFactory { get; }

    public LocRib LocRib { get; } = new();

    public IReadOnlyCollection<Peer> Peers => peers.Values.OrderBy(p => p.Address.GetAddressBytes(), ByteOrder.Instance).ToArray();

    public IReadOnlyCollection<Prefix> Originated => originated;

    /// <summary>The TCP endpoints the speaker listens on (after <see cref="StartAsync"/>).</summary>
    public IReadOnlyList<IPEndPoint> ListenEndpoints => listeners.Select(l => (IPEndPoint)l.LocalEndPoint!).ToArray();

    /// <summary>Opens the listeners (unless <see cref="SpeakerConfig.ListenPort"/> is negative).</summary>
    public Task StartAsync()
    {
        if (Config.ListenPort >= 0)
        {
            var addresses = Config.ListenAddresses.Count > 0 ? Config.ListenAddresses : [IPAddress.IPv6Any];
            foreach (var address in addresses)
            {
                listeners.Add(Listen(address));
            }
        }

        foreach (var listener in listeners)
        {
            _ = Task.Run(() => AcceptLoopAsync(listener));
        }

        return Task.CompletedTask;
    }

    private Socket Listen(IPAddress address)
    {
        var socket = socketFactory(address.AddressFamily);
        try
        {
            if (address.Equals(IPAddress.IPv6Any))
            {
                socket.DualMode = true;
            }

            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            socket.Bind(new IPEndPoint(address, Config.ListenPort));
            socket.Listen(64);
            Log.Listening(logger, socket.LocalEndPoint!);
            return socket;
        }
        catch (SocketException) when (address.Equals(IPAddress.IPv6Any))
        {
            // No IPv6 here: listen on IPv4 only.
            socket.Dispose();
            return Listen(IPAddress.Any);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private async Task AcceptLoopAsync(Socket listener)
    {
        while (!stopping.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await listener.AcceptAsync(stopping.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                if (stopping.IsCancellationRequested)
                {
                    return;
                }

                continue;
            }

            var remote = ((IPEndPoint)socket.RemoteEndPoint!).Address;
            if (remote.IsIPv4MappedToIPv6)
            {
                remote = remote.MapToIPv4();
            }

            if (peers.TryGetValue(remote, out var peer))
            {
                peer.Accept(socket);
            }
            else
            {
                // RFC 4271 §8.2.1: connections from unconfigured addresses are refused.
                Log.Refused(logger, remote);
                socket.Dispose();
            }
        }
    }

    /// <summary>Adds a peer and starts it, or reconfigures the one at that address.</summary>
    public Peer AddOrUpdatePeer(PeerConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (peers.TryGetValue(config.PeerAddress, out var existing))
        {
            if (!existing.Config.Equals(config))
            {
                existing.Reconfigure(config);
            }

            TrackClient(config.PeerAddress, config.RouteReflectorClient);
            return existing;
        }

        var peer = new Peer(config, this);
        if (!peers.TryAdd(config.PeerAddress, peer))
        {
            _ = peer.DisposeAsync().AsTask();
            return peers[config.PeerAddress];
        }

        peer.Start();
        TrackClient(config.PeerAddress, config.RouteReflectorClient);
        return peer;
    }

    /// <summary>Stops and forgets a peer (Cease, Peer De-configured); its routes leave the Loc-RIB.</summary>
    public async Task RemovePeerAsync(IPAddress address)
    {
        if (peers.TryRemove(address, out var peer))
        {
            TrackClient(address, false);
            await peer.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Makes the peers exactly these: new ones added, gone ones removed, changed ones reconfigured.</summary>
    public async Task SetPeersAsync(IEnumerable<PeerConfig> configs)
    {
        var wanted = configs.ToDictionary(c => c.PeerAddress);
        foreach (var address in peers.Keys.Where(a => !wanted.ContainsKey(a)).ToArray())
        {
            await RemovePeerAsync(address).ConfigureAwait(false);
        }

        foreach (var config in wanted.Values)
        {
            AddOrUpdatePeer(config);
        }
    }

    public Peer? FindPeer(IPAddress address) => peers.GetValueOrDefault(address);

    /// <summary>Replaces the set of prefixes this speaker originates and tells every peer.</summary>
    public void SetOriginated(IEnumerable<Prefix> prefixes)
    {
        var next = prefixes.Distinct().Order().ToArray();
        var previous = originated;
        originated = next;

        var removed = previous.Except(next).Select(p => (p.Family, new Nlri(p))).ToArray();
        var added = next.Except(previous).Select(p => new Route(p, p.IsIPv6 ? OriginatedIPv6 : OriginatedIPv4)).ToArray();
        LocRib.Apply(RouteSource.Local.PeerAddress, added, removed);
        foreach (var peer in peers.Values)
        {
            peer.OriginatedChanged();
        }
    }

    Socket IPeerHost.CreateSocket(AddressFamily family) => socketFactory(family);

    RibDelta IPeerHost.OnRoutes(Peer peer, IReadOnlyList<(Nlri Nlri, PathInfo Path)> announced, IReadOnlyList<(AfiSafi Family, Nlri Nlri)> withdrawn) =>
        LocRib.Apply(peer.Address, announced, withdrawn);

    void IPeerHost.OnSessionDown(Peer peer) => LocRib.RemoveSource(peer.Address);

    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync().ConfigureAwait(false);
        foreach (var listener in listeners)
        {
            listener.Dispose();
        }

        foreach (var address in peers.Keys.ToArray())
        {
            await RemovePeerAsync(address).ConfigureAwait(false);
        }

        stopping.Dispose();
    }

    private sealed class ByteOrder : IComparer<byte[]>
    {
        public static readonly ByteOrder Instance = new();

        public int Compare(byte[]? x, byte[]? y) =>
            x!.Length != y!.Length ? x.Length.CompareTo(y.Length) : x.AsSpan().SequenceCompareTo(y);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 20, Level = LogLevel.Information, Message = "BGP listening on {Endpoint}")]
        public static partial void Listening(ILogger logger, EndPoint endpoint);

        [LoggerMessage(EventId = 21, Level = LogLevel.Information, Message = "BGP connection from {Address} refused: not a configured peer")]
        public static partial void Refused(ILogger logger, IPAddress address);
    }
}
