using System.Net;
using Routing.Bgp.Fsm;
using Routing.Bgp.Rib;
using Routing.Bgp.Sessions;
using Routing.Bgp.Wire;
using Routing.TestKit.Logging;
using Routing.TestKit.Namespaces;

namespace Routing.Interop.Tests.Bgp;

/// <summary>A router on the speaker's LAN: its namespace, its interface there and its addresses (10.0.N.K, fd00:N::K).</summary>
internal sealed record Router(string Label, int Host, NetNs Ns, string Interface, string Address, string Address6)
{
    public IPAddress Ip => IPAddress.Parse(Address);
}

/// <summary>
/// Routing's BGP speaker running in the test process with its sockets in a namespace of its own,
/// on a LAN (a bridge in that namespace) to routers that each have a namespace of their own, like
/// a node and its top-of-rack routers: 10.0.N.1/24 and fd00:N::1/64 are ours, router K has
/// 10.0.N.K and fd00:N::K.
/// </summary>
internal sealed class SpeakerLab
{
    private const string Bridge = "lan0";

    private SpeakerLab(Topology lab, NetNs speakerNs, Speaker speaker, LogCapture log, int subnet)
    {
        Lab = lab;
        SpeakerNs = speakerNs;
        Speaker = speaker;
        Log = log;
        Subnet = subnet;
    }

    public Topology Lab { get; }

    public NetNs SpeakerNs { get; }

    public Speaker Speaker { get; }

    public LogCapture Log { get; }

    public int Subnet { get; }

    public string OurAddress => $"10.0.{Subnet}.1";

    public string OurAddress6 => $"fd00:{Subnet}::1";

    /// <param name="clusterId">Makes the speaker a route reflector with this cluster ID.</param>
    public static async Task<SpeakerLab> CreateAsync(Topology lab, int subnet, uint asn, IPAddress? clusterId = null)
    {
        var speakerNs = await lab.AddNamespaceAsync("routing");
        await speakerNs.IpAsync("link", "add", Bridge, "type", "bridge");
        await speakerNs.IpAsync("address", "add", $"10.0.{subnet}.1/24", "dev", Bridge);
        await speakerNs.IpAsync("address", "add", $"fd00:{subnet}::1/64", "dev", Bridge, "nodad");
        await speakerNs.SetUpAsync(Bridge);

        var log = lab.Add(new LogCapture($"routing-speaker-{subnet}"));
        var speaker = new Speaker(
            new SpeakerConfig
            {
                Asn = asn,
                RouterId = IPAddress.Parse($"10.0.{subnet}.1"),
                IPv6NextHop = IPAddress.Parse($"fd00:{subnet}::1"),
                IPv4NextHop = IPAddress.Parse($"10.0.{subnet}.1"),
                ClusterId = clusterId,
            },
            log,
            socketFactory: family => speakerNs.CreateSocket(family));
        await speaker.StartAsync();
        lab.Add(new InProcessDaemon($"routing-speaker-{subnet}-lifetime", speaker));
        return new SpeakerLab(lab, speakerNs, speaker, log, subnet);
    }

    /// <summary>Adds router <paramref name="host"/> (2–254) in a namespace of its own, on a veth port of our bridge.</summary>
    public async Task<Router> AddRouterAsync(string label, int host)
    {
        var ns = await Lab.AddNamespaceAsync(label);
        var link = await VethPair.CreateAsync(SpeakerNs, ns);
        await SpeakerNs.IpAsync("link", "set", link.AName, "master", Bridge);
        return await AddAddressesAsync(new Router(label, host, ns, link.BName, $"10.0.{Subnet}.{host}", $"fd00:{Subnet}::{host:x}"));
    }

    /// <summary>Adds router <paramref name="host"/> as more addresses of <paramref name="on"/>: one daemon that peers from several addresses.</summary>
    public Task<Router> AddAliasAsync(Router on, string label, int host) =>
        AddAddressesAsync(new Router(label, host, on.Ns, on.Interface, $"10.0.{Subnet}.{host}", $"fd00:{Subnet}::{host:x}"));

    private static async Task<Router> AddAddressesAsync(Router router)
    {
        await router.Ns.AddAddressAsync(router.Interface, $"{router.Address}/24");
        await router.Ns.IpAsync("address", "add", $"{router.Address6}/64", "dev", router.Interface, "nodad");
        return router;
    }

    public PeerConfig Peer(Router router, uint peerAs, ushort holdTime = 9) => new()
    {
        PeerAddress = router.Ip,
        PeerAs = peerAs,
        HoldTime = holdTime,
        ConnectRetryTime = TimeSpan.FromSeconds(1),
        Description = router.Label,
    };

    public PeerStatus Status(Router router) =>
        Speaker.FindPeer(router.Ip)?.Status ?? throw new InvalidOperationException($"no peer {router.Address} configured");

    public Task UntilEstablishedAsync(Router router) =>
        Lab.UntilAsync($"our session with {router.Label} ({router.Address}) to be Established", _ =>
            Task.FromResult(Speaker.FindPeer(router.Ip)?.State == BgpState.Established));

    /// <summary>The path to <paramref name="prefix"/> learned from <paramref name="router"/>, best or not.</summary>
    public Route? RouteFrom(Router router, string prefix) =>
        Speaker.LocRib.Lookup(Prefix.Parse(prefix)) is { } entry
            ? entry.Alternatives.Prepend(entry.Best).FirstOrDefault(r => r.Source.PeerAddress.Equals(router.Ip))
            : null;

    /// <summary>Waits for a path to <paramref name="prefix"/> from <paramref name="router"/> that passes <paramref name="check"/>, and returns it.</summary>
    public Task<Route> UntilInRibAsync(Router router, string prefix, Func<Route, bool>? check = null) =>
        Lab.UntilAsync($"{prefix} from {router.Label} in our Loc-RIB", _ =>
            Task.FromResult(RouteFrom(router, prefix) is { } route && (check?.Invoke(route) ?? true) ? route : null));

    public Task UntilNotInRibAsync(Router router, string prefix, TimeSpan? timeout = null) =>
        Lab.UntilAsync($"{prefix} from {router.Label} gone from our Loc-RIB", _ => Task.FromResult(RouteFrom(router, prefix) is null), timeout);

    /// <summary>Disposes the speaker with the topology, and adds nothing to failure logs.</summary>
    private sealed class InProcessDaemon(string name, IAsyncDisposable target) : global::Routing.TestKit.Daemons.IDaemon
    {
        public string Name { get; } = name;

        public string ReadLog() => string.Empty;

        public ValueTask DisposeAsync() => target.DisposeAsync();
    }
}
