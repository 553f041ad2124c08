using Routing.Bgp.Fsm;
using Routing.Bgp.Wire;
using Routing.TestKit;
using Routing.TestKit.Namespaces;
using Routing.TestKit.Processes;

namespace Routing.Interop.Tests.Bgp;

/// <summary>
/// One BGP session between our speaker and a router of a <see cref="DaemonLab"/>, as both sides
/// are configured. The router originates <see cref="Prefix4"/> and <see cref="Prefix6"/> (next hop
/// itself) with the optional attributes; <see cref="Extra4"/> and <see cref="Extra6"/> are for
/// announcing and withdrawing at run time.
/// </summary>
internal sealed record Peering(Router Router, uint RouterAs, uint RouterExpectsAs, uint OurAs, uint WeExpectAs, ushort HoldTime)
{
    public uint? Med { get; init; }

    public uint? Community { get; init; }

    public uint? LocalPref { get; init; }

    public string Prefix4 => $"10.{100 + Router.Host}.0.0/24";

    public string Prefix6 => $"fd00:{100 + Router.Host}::/64";

    public string Extra4 => $"10.{100 + Router.Host}.1.0/24";

    public string Extra6 => $"fd00:{100 + Router.Host}:1::/64";

    /// <summary>The router's own address in the family of <paramref name="prefix"/>: its next hop.</summary>
    public string NextHopFor(string prefix) => prefix.Contains(':', StringComparison.Ordinal) ? Router.Address6 : Router.Address;

    public override string ToString() => $"{Router.Label} ({Router.Address}, AS {RouterAs})";
}

/// <summary>A route as a router received it from us.</summary>
internal sealed record SeenRoute(string Prefix, string? NextHop, IReadOnlyList<uint> AsPath, uint? LocalPref);

/// <summary>
/// A class fixture: one topology per kind of daemon, shared by the scenarios of
/// <see cref="SpeakerInteropTests{TLab}"/>. Our speaker (AS 65010, originating
/// <see cref="Originated"/>) sits on a LAN with one router per kind of session, each started
/// and configured by the derived class, all at once:
/// eBGP (AS 65020, with MED and a community), iBGP (AS 65010, LOCAL_PREF 200), 4-octet ASes
/// on both sides (4200000001, and 4200000002 for us), one that expects a wrong AS of us, one
/// whose AS we expect wrongly, and one with a 3 s hold time that gets frozen and restarted.
/// </summary>
public abstract class DaemonLab(int subnet) : IAsyncLifetime
{
    public const uint OurAs = 65010;
    public const uint TheirAs = 65020;
    public const uint TheirFourOctetAs = 4200000001;
    public const uint OurFourOctetAs = 4200000002;
    public const uint WrongAs = 65099;

    /// <summary>What our speaker originates, to every peer.</summary>
    internal static readonly string[] Originated = ["10.20.0.0/26", "fd00:20::/122"];

    /// <summary>What it originates on top for a while, to show withdrawals.</summary>
    internal static readonly string[] ExtraOriginated = ["10.21.0.0/26", "fd00:21::/122"];

    private Topology? lab;
    private SpeakerLab? speaker;
    private Peering[] peerings = [];

    internal Topology Lab => lab ?? throw new InvalidOperationException("the lab did not start");

    internal SpeakerLab S => speaker ?? throw new InvalidOperationException("the lab did not start");

    internal Peering Ebgp => peerings[0];

    internal Peering Ibgp => peerings[1];

    internal Peering FourOctet => peerings[2];

    /// <summary>The router expects AS 65099 of us.</summary>
    internal Peering RefusesUs => peerings[3];

    /// <summary>We expect AS 65099 of the router.</summary>
    internal Peering RefusedByUs => peerings[4];

    /// <summary>Hold time 3 s: frozen and restarted.</summary>
    internal Peering Frozen => peerings[5];

    public async Task InitializeAsync()
    {
        // Without root the tests skip (TestRun.RequireNamespaces); the fixture then makes nothing.
        if (!TestRun.CanUseNamespaces)
        {
            return;
        }

        lab = new Topology();
        try
        {
            speaker = await SpeakerLab.CreateAsync(lab, subnet, OurAs);
            speaker.Speaker.SetOriginated(Originated.Select(Prefix.Parse));
            peerings =
            [
                new Peering(await AddRouterAsync("ebgp", 2), TheirAs, OurAs, OurAs, TheirAs, 9) { Med = 50, Community = (TheirAs << 16) | 7 },
                new Peering(await AddRouterAsync("ibgp", 3), OurAs, OurAs, OurAs, OurAs, 9) { LocalPref = 200 },
                new Peering(await AddRouterAsync("as4", 4), TheirFourOctetAs, OurFourOctetAs, OurFourOctetAs, TheirFourOctetAs, 9),
                new Peering(await AddRouterAsync("refuses-us", 5), TheirAs, WrongAs, OurAs, TheirAs, 9),
                new Peering(await AddRouterAsync("refused", 6), TheirAs, OurAs, OurAs, WrongAs, 9),
                new Peering(await AddRouterAsync("frozen", 7), TheirAs, OurAs, OurAs, TheirAs, 3),
            ];
            await StartRoutersAsync(peerings);
            foreach (var p in peerings)
            {
                speaker.Speaker.AddOrUpdatePeer(speaker.Peer(p.Router, p.WeExpectAs, p.HoldTime) with
                {
                    LocalAs = p.OurAs == OurAs ? null : p.OurAs,
                    Passive = OnlyRouterConnects,
                });
            }
        }
        catch
        {
            await lab.DisposeAsync();
            throw;
        }
    }

    public async Task DisposeAsync()
    {
        if (lab is not null)
        {
            await lab.DisposeAsync();
        }
    }

    /// <summary>Puts a router on the LAN; by default in a namespace of its own.</summary>
    private protected virtual Task<Router> AddRouterAsync(string label, int host) => S.AddRouterAsync(label, host);

    /// <summary>True when the daemon never listens, so our side waits for it to connect.</summary>
    private protected virtual bool OnlyRouterConnects => false;

    /// <summary>Starts and configures the routers of <paramref name="sessions"/>: each originates its prefixes, next hop self.</summary>
    private protected abstract Task StartRoutersAsync(IReadOnlyList<Peering> sessions);

    /// <summary>True when the router's side of the session is Established.</summary>
    internal abstract Task<bool> RouterEstablishedAsync(Peering p);

    /// <summary>The IPv4 and IPv6 routes the router has from us.</summary>
    internal abstract Task<IReadOnlyDictionary<string, SeenRoute>> RoutesFromUsAsync(Peering p);

    /// <summary>Makes the router originate <paramref name="prefix"/>, next hop self.</summary>
    internal abstract Task AnnounceAsync(Peering p, string prefix);

    internal abstract Task WithdrawAsync(Peering p, string prefix);

    /// <summary>The router's process, to freeze it.</summary>
    internal abstract DaemonProcess ProcessOf(Peering p);

    /// <summary>Kills the router's daemon as a crash would, starts it again and configures it as before.</summary>
    internal abstract Task RestartAsync(Peering p);

    /// <summary>
    /// What the router itself reports (a line of its log, mostly) of a NOTIFICATION OPEN Message
    /// Error / Bad Peer AS (2/2) it sent (<paramref name="sentByRouter"/>) or received; null while nothing.
    /// </summary>
    internal abstract Task<string?> BadPeerAsReportAsync(Peering p, bool sentByRouter);

    /// <summary>Why the daemon cannot ask us for a route refresh; null when it can.</summary>
    internal virtual string? CannotRequestRouteRefresh => null;

    /// <summary>Has the router send us ROUTE-REFRESH for IPv4 and IPv6 unicast.</summary>
    internal abstract Task RequestRouteRefreshAsync(Peering p);

    /// <summary>How many UPDATE messages the router received from us.</summary>
    internal abstract Task<long> UpdatesFromUsAsync(Peering p);

    /// <summary>Waits until both sides of the session are Established.</summary>
    internal async Task<Peering> EstablishedAsync(Peering p)
    {
        await Task.WhenAll(
            S.UntilEstablishedAsync(p.Router),
            Lab.UntilAsync($"{p}'s session with us to be Established", _ => RouterEstablishedAsync(p)));
        return p;
    }

    /// <summary>Waits until the router has all of <paramref name="prefixes"/> from us, and returns what it has.</summary>
    internal Task<IReadOnlyDictionary<string, SeenRoute>> UntilRouterHasAsync(Peering p, IEnumerable<string> prefixes) =>
        Lab.UntilAsync($"{string.Join(", ", prefixes)} in {p}", async _ =>
        {
            var routes = await RoutesFromUsAsync(p);
            return prefixes.All(routes.ContainsKey) ? routes : null;
        });

    internal Task UntilRouterLacksAsync(Peering p, IEnumerable<string> prefixes) =>
        Lab.UntilAsync($"{string.Join(", ", prefixes)} withdrawn from {p}", async _ =>
            !(await RoutesFromUsAsync(p)).Keys.Intersect(prefixes).Any());

    /// <summary>The router's count of UPDATEs from us once it stays the same for half a second.</summary>
    internal async Task<long> SettledUpdatesFromUsAsync(Peering p)
    {
        var last = await UpdatesFromUsAsync(p);
        while (true)
        {
            await Task.Delay(500);
            var now = await UpdatesFromUsAsync(p);
            if (now == last)
            {
                return now;
            }

            last = now;
        }
    }

    /// <summary>True when our session with the router is Established.</summary>
    internal bool WeAreEstablished(Peering p) => S.Speaker.FindPeer(p.Router.Ip)?.State == BgpState.Established;
}
