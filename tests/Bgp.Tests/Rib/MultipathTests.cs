using System.Net;
using Routing.Bgp.Rib;
using Routing.Bgp.Wire;
using Routing.Bgp.Wire.Attributes;

namespace Routing.Bgp.Tests.Rib;

/// <summary>Which paths share a prefix's traffic with the best (ECMP), and when the Loc-RIB says the set changed; the decision itself is unchanged.</summary>
public sealed class MultipathTests
{
    private static readonly IPAddress PeerA = IPAddress.Parse("10.0.0.1");
    private static readonly IPAddress PeerB = IPAddress.Parse("10.0.0.2");
    private static readonly IPAddress PeerC = IPAddress.Parse("10.0.0.3");
    private static readonly Prefix Block = Prefix.Parse("10.40.0.0/24");

    private static Route From(IPAddress peer, uint[] asPath, uint? med = null, uint? localPref = null, Origin origin = Origin.Igp, bool external = true) =>
        new(Block, new PathAttributes { AsPath = AsPath.Sequence(asPath), NextHop = peer, MultiExitDisc = med, LocalPref = localPref, Origin = origin }, peer,
            new RouteSource(peer, (uint)peer.GetAddressBytes()[3], asPath[0], external));

    [Fact]
    public void Paths_equal_up_to_the_tie_breaks_from_other_peers_share_the_prefix()
    {
        var a = From(PeerA, [65031, 65100]);
        var b = From(PeerB, [65032, 65200]);
        var c = From(PeerC, [65033, 65300]);

        var equal = Multipath.Select(a, [c, a, b]);

        Assert.Equal([a, b, c], equal);
    }

    [Theory]
    [InlineData("as-path")]
    [InlineData("local-pref")]
    [InlineData("origin")]
    [InlineData("med")]
    [InlineData("ibgp")]
    [InlineData("next-hop")]
    public void A_path_that_differs_before_the_tie_breaks_does_not(string difference)
    {
        var best = From(PeerA, [65031]);
        var other = difference switch
        {
            "as-path" => From(PeerB, [65032, 65000]),
            "local-pref" => From(PeerB, [65032], localPref: 50),
            "origin" => From(PeerB, [65032], origin: Origin.Incomplete),
            "med" => From(PeerB, [65032], med: 10),
            "ibgp" => From(PeerB, [65032], external: false),
            _ => new Route(Block, new PathAttributes { AsPath = AsPath.Sequence(65032), NextHop = PeerA }, PeerA, new RouteSource(PeerB, 2, 65032, true)),
        };

        Assert.False(Multipath.Ties(best, other));
        Assert.Empty(Multipath.Select(best, [best, other]));
    }

    [Fact]
    public void The_loc_rib_publishes_a_change_of_the_equal_paths_even_when_the_best_stays()
    {
        var rib = new LocRib();
        var seen = new List<BestRouteChange>();
        using var subscription = rib.Subscribe(changes => seen.AddRange(changes));
        var a = From(PeerA, [65031]);
        var b = From(PeerB, [65032]);

        rib.Apply(PeerA, [a], []);
        rib.Apply(PeerB, [b], []);
        rib.Withdraw(PeerB, [(AfiSafi.Ipv4Unicast, new Nlri(Block))]);

        Assert.Equal(3, seen.Count);
        Assert.Empty(seen[0].Multipath);
        Assert.Equal(a.Path, seen[1].Best!.Path);
        Assert.False(seen[1].BestChanged);
        Assert.Equal([a.Path, b.Path], seen[1].Multipath.Select(r => r.Path));
        Assert.Equal(a.Path, seen[2].Best!.Path);
        Assert.False(seen[2].BestChanged);
        Assert.Empty(seen[2].Multipath);
        Assert.Equal(BestPathReason.RouterId, seen[1].Reason);
    }
}
