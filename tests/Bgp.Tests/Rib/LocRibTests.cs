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
        rib.Withdraw(PeerB, [(AfiSafi.Ipv4Unicast, new Nlri(Block))]);
        rib.Withdraw(PeerA, [(AfiSafi.Ipv4Unicast, new Nlri(Block))]);

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

    [Fact]
    public void ADD_PATH_paths_of_one_peer_are_kept_apart_and_withdrawn_one_by_one()
    {
        var rib = new LocRib();
        var source = new RouteSource(PeerA, 1, 65001, true);
        var longer = new PathInfo(new PathAttributes { AsPath = AsPath.Sequence(65001, 65100), NextHop = PeerA }, PeerA, source);
        var shorter = new PathInfo(new PathAttributes { AsPath = AsPath.Sequence(65001), NextHop = PeerA }, PeerA, source);

        Assert.Equal(new RibDelta(1, 0), rib.Apply(PeerA, [(new Nlri(Block, 7), longer)], []));
        Assert.Equal(new RibDelta(1, 0), rib.Apply(PeerA, [(new Nlri(Block, 9), shorter)], []));
        var both = rib.Lookup(Block)!;
        Assert.Equal((9u, BestPathReason.AsPathLength), (both.Best.PathId, both.Reason));
        Assert.Equal(7u, Assert.Single(both.Alternatives).PathId);

        // Withdrawing an identifier nobody announced, or path 0, changes nothing.
        Assert.Equal(new RibDelta(0, 0), rib.Withdraw(PeerA, [(AfiSafi.Ipv4Unicast, new Nlri(Block))]));
        Assert.Equal(new RibDelta(0, 1), rib.Withdraw(PeerA, [(AfiSafi.Ipv4Unicast, new Nlri(Block, 9))]));
        var left = rib.Lookup(Block)!;
        Assert.Equal((7u, longer), (left.Best.PathId, left.Best.Path));
        Assert.Empty(left.Alternatives);

        // The same identifier replaces, it does not add.
        Assert.Equal(new RibDelta(0, 0), rib.Apply(PeerA, [(new Nlri(Block, 7), shorter)], []));
        Assert.Equal(shorter, rib.Lookup(Block)!.Best.Path);
        Assert.Equal(new RibDelta(0, 1), rib.Withdraw(PeerA, [(AfiSafi.Ipv4Unicast, new Nlri(Block, 7))]));
        Assert.Null(rib.Lookup(Block));
        Assert.Equal(0, rib.Count);
    }

    [Fact]
    public void Removing_a_source_leaves_the_other_peers_path_as_the_only_one()
    {
        var rib = new LocRib();
        rib.Apply(PeerA, [From(PeerA, 65001)], []);
        rib.Apply(PeerB, [From(PeerB, 65002, 65100)], []);

        Assert.Equal(1, rib.RemoveSource(PeerA));

        var entry = rib.Lookup(Block)!;
        Assert.Equal((PeerB, BestPathReason.OnlyPath), (entry.Best.Source.PeerAddress, entry.Reason));
        Assert.Equal(0, rib.RemoveSource(PeerA));
        Assert.Equal(1, rib.RemoveSource(PeerB));
        Assert.Equal(0, rib.Count);
    }
}
