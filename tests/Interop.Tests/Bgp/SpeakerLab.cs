using System.Net;
using Routing.Bgp.Fsm;
using Routing.Bgp.Sessions;
using Routing.Bgp.Wire;
using Routing.TestKit.Logging;
using Routing.TestKit.Namespaces;

namespace Routing.Interop.Tests.Bgp;

/// <summary>
/// Routing's BGP speaker running in the test process with its sockets in a namespace of its own,
/// on a veth link to a router namespace: 10.0.N.1/30 and fd00:N::1/64 on our side, .2 and ::2 on theirs.
/// </summary>
internal sealed class SpeakerLab
{
    private SpeakerLab(Topology lab, NetNs speakerNs, NetNs routerNs, Speaker speaker, LogCapture log, int subnet)
    {
        Lab = lab;
        SpeakerNs = speakerNs;
        RouterNs = routerNs;
        Speaker = speaker;
        Log = log;
        Subnet = subnet;
    }

    public Topology Lab { get; }

    public NetNs SpeakerNs { get; }

    public NetNs RouterNs { get; }

    public Speaker Speaker { get; }

    public LogCapture Log { get; }

    public int Subnet { get; }

    public string OurAddress => $"10.0.{Subnet}.1";

    public string RouterAddress => $"10.0.{Subnet}.2";

    public string OurAddress6 => $"fd00:{Subnet}::1";

    public string RouterAddress6 => $"fd00:{Subnet}::2";

    public static async Task<SpeakerLab> CreateAsync(Topology lab, string routerLabel, int subnet, uint asn)
    {
        var speakerNs = await lab.AddNamespaceAsync("routing");
        var routerNs = await lab.AddNamespaceAsync(routerLabel);
        var link = await lab.LinkAsync(speakerNs, $"10.0.{subnet}.1/30", routerNs, $"10.0.{subnet}.2/30");
        await speakerNs.IpAsync("address", "add", $"fd00:{subnet}::1/64", "dev", link.AName, "nodad");
        await routerNs.IpAsync("address", "add", $"fd00:{subnet}::2/64", "dev", link.BName!, "nodad");

        var log = lab.Add(new LogCapture("routing-speaker"));
        var speaker = new Speaker(
            new SpeakerConfig
            {
                Asn = asn,
                RouterId = IPAddress.Parse($"10.0.{subnet}.1"),
                IPv6NextHop = IPAddress.Parse($"fd00:{subnet}::1"),
                IPv4NextHop = IPAddress.Parse($"10.0.{subnet}.1"),
            },
            log,
            socketFactory: family => speakerNs.CreateSocket(family));
        await speaker.StartAsync();
        lab.Add(new InProcessDaemon("routing-speaker-lifetime", speaker));
        return new SpeakerLab(lab, speakerNs, routerNs, speaker, log, subnet);
    }

    public PeerConfig Peer(uint peerAs, bool ipv6Transport = false) => new()
    {
        PeerAddress = IPAddress.Parse(ipv6Transport ? RouterAddress6 : RouterAddress),
        PeerAs = peerAs,
        HoldTime = 9,
        ConnectRetryTime = TimeSpan.FromSeconds(1),
    };

    public Task UntilEstablishedAsync(string peer) =>
        Lab.UntilAsync($"our session with {peer} to be Established", _ =>
            Task.FromResult(Speaker.FindPeer(IPAddress.Parse(peer))?.State == BgpState.Established));

    public Task UntilInRibAsync(string prefix, Func<global::Routing.Bgp.Rib.RibEntry, bool>? check = null) =>
        Lab.UntilAsync($"{prefix} in our Loc-RIB", _ =>
            Task.FromResult(Speaker.LocRib.Lookup(Prefix.Parse(prefix)) is { } entry && entry.Best.Source.IsLocal is false && (check?.Invoke(entry) ?? true)));

    public Task UntilNotInRibAsync(string prefix) =>
        Lab.UntilAsync($"{prefix} gone from our Loc-RIB", _ =>
            Task.FromResult(Speaker.LocRib.Lookup(Prefix.Parse(prefix)) is null));

    /// <summary>Disposes the speaker with the topology, and adds nothing to failure logs.</summary>
    private sealed class InProcessDaemon(string name, IAsyncDisposable target) : global::Routing.TestKit.Daemons.IDaemon
    {
        public string Name { get; } = name;

        public string ReadLog() => string.Empty;

        public ValueTask DisposeAsync() => target.DisposeAsync();
    }
}
