using System.Net;
using Routing.Bgp.Rib;
using Routing.Bgp.Wire;
using Routing.Bgp.Wire.Attributes;

namespace Routing.Bgp.Tests.Rib;

public sealed class LocRibTests
{
    private static readonly IPAddress PeerA = IPAddress.Parse("10.0.0.1");
    private static readonly IPAddress PeerB = IPAddress.Parse("10.0.0.2");
    private static readonly Prefix Block = Prefix.Parse("10.20.0.0/26");

    private static Route From(IPAddress peer, params uint[] asPath) =>
        new(Block, new PathAttributes { AsPath = AsPath.Sequence(asPath), NextHop = peer }, peer, new RouteSource(peer, 1, asPath[0], true));

    [Fact]
    public void Best_path_changes_are_published_as_they_happen()
    {
        var rib = new LocRib();
        var seen = new List<BestRouteChange>();
        using var subscription = rib.Subscribe(changes => seen.AddRange(changes));

        var longer = From(PeerA, 65001, 65100);
        rib.Apply(PeerA, [longer], []);
        var shorter = From(PeerB, 65002);
        rib.Apply(PeerB, [shorter], []);
        rib.Apply(PeerB, [], [(AfiSafi.Ipv4Unicast, new Nlri(Block))]);
        rib.Apply(PeerA, [], [(AfiSafi.Ipv4Unicast, new Nlri(Block))]);

        Assert.Equal(
            [
                new BestRouteChange(Block, longer, BestPathReason.OnlyPath),
                new BestRouteChange(Block, shorter, BestPathReason.AsPathLength),
                new BestRouteChange(Block, longer, BestPathReason.OnlyPath),
                new BestRouteChange(Block, null, null),
            ],
            seen);
        Assert.Equal(0, rib.Count);
    }

    [Fact]
    public void A_worse_alternative_does_not_disturb_the_best_and_shows_as_an_alternative()
    {
        var rib = new LocRib();
        var changes = 0;
        using var subscription = rib.Subscribe(batch => changes += batch.Count);

        rib.Apply(PeerB, [From(PeerB, 65002)], []);
        rib.Apply(PeerA, [From(PeerA, 65001, 65100)], []);

        Assert.Equal(1, changes);
        var entry = rib.Lookup(Block)!;
        Assert.Equal(PeerB, entry.Best.Source.PeerAddress);
        Assert.Equal(BestPathReason.AsPathLength, entry.Reason);
        Assert.Equal(PeerA, Assert.Single(entry.Alternatives).Source.PeerAddress);
    }

    [Fact]
    public void A_peer_replacing_its_path_keeps_one_path_per_peer()
    {
        var rib = new LocRib();
        rib.Apply(PeerA, [From(PeerA, 65001, 65100)], []);
        rib.Apply(PeerA, [From(PeerA, 65001)], []);

        var entry = rib.Lookup(Block)!;
        Assert.Empty(entry.Alternatives);
        Assert.Equal("65001", entry.Best.Attributes.AsPath.ToString());
    }

    [Fact]
    public void Snapshots_filter_by_family_and_covering_prefix()
    {
        var rib = new LocRib();
        var source = new RouteSource(PeerA, 1, 65001, true);
        rib.Apply(PeerA, [
            new Route(Prefix.Parse("10.1.0.0/24"), PathAttributes.Empty, PeerA, source),
            new Route(Prefix.Parse("10.2.0.0/24"), PathAttributes.Empty, PeerA, source),
            new Route(Prefix.Parse("fd00:1::/64"), PathAttributes.Empty, IPAddress.Parse("fd00::1"), source),
        ], []);

        Assert.Equal(["10.1.0.0/24"], rib.Snapshot(within: Prefix.Parse("10.1.0.0/16")).Select(e => e.Prefix.ToString()));
        Assert.Equal(["fd00:1::/64"], rib.Snapshot(AfiSafi.Ipv6Unicast).Select(e => e.Prefix.ToString()));
        Assert.Equal(3, rib.Snapshot().Count);
    }
}
