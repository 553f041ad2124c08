using System.Net;
using Routing.Bgp.Rib;
using Routing.Bgp.Wire;
using Routing.Bgp.Wire.Attributes;
using static Routing.Bgp.Tests.Rib.RouteBuilder;

namespace Routing.Bgp.Tests.Rib;

public class BestPathTests
{
    [Fact]
    public void One_path_wins_as_the_only_path()
    {
        var only = Path();

        var result = BestPath.Select([only]);

        Assert.Same(only, result.Best);
        Assert.Equal(BestPathReason.OnlyPath, result.Reason);
    }

    [Fact]
    public void No_paths_is_an_error() =>
        Assert.Throws<ArgumentException>(() => BestPath.Select([]));

    [Fact]
    public void Identical_paths_tie_on_every_step() =>
        Assert.Equal((0, BestPathReason.PeerAddress), BestPath.Compare(Path(), Path()));

    // Step 1: LOCAL_PREF.

    [Fact]
    public void Highest_local_pref_wins() =>
        AssertWins(Path(localPref: 200, asPath: [65001, 65002, 65003]), Path(localPref: 150), BestPathReason.LocalPref);

    [Fact]
    public void Missing_local_pref_counts_as_100()
    {
        AssertWins(Path(localPref: 101, peer: "192.0.2.9"), Path(localPref: null), BestPathReason.LocalPref);
        AssertWins(Path(localPref: null, peer: "192.0.2.9"), Path(localPref: 99), BestPathReason.LocalPref);
        Assert.Equal((0, BestPathReason.PeerAddress), BestPath.Compare(Path(localPref: 100), Path(localPref: null)));
    }

    // Step 2: locally originated.

    [Fact]
    public void Local_path_beats_learned_path_before_as_path_origin_and_med()
    {
        var local = LocalPath(origin: Origin.Incomplete, med: 1000, asPath: AsPath.Sequence(65000, 65000, 65000));
        var learned = Path(external: false, peerAs: 65000, asPath: []);

        AssertWins(local, learned, BestPathReason.LocallyOriginated);
    }

    [Fact]
    public void Local_pref_comes_before_local_origin() =>
        AssertWins(Path(localPref: 200), LocalPath(), BestPathReason.LocalPref);

    // Step 3: AS_PATH length.

    [Fact]
    public void Shortest_as_path_wins() =>
        AssertWins(Path(asPath: [65001, 65010], origin: Origin.Incomplete), Path(asPath: [65001, 65010, 65020], peer: "192.0.2.0"), BestPathReason.AsPathLength);

    [Fact]
    public void As_set_counts_as_one()
    {
        var withSet = Path(segments: Segments(Sequence(65001), Set(65010, 65011, 65012)));

        Assert.Equal(2, withSet.Attributes.AsPath.Length);
        AssertWins(withSet, Path(asPath: [65001, 65010, 65011], peer: "192.0.2.0"), BestPathReason.AsPathLength);

        // Same length as a two-AS sequence: the next step decides.
        AssertWins(withSet, Path(asPath: [65001, 65010], origin: Origin.Egp, peer: "192.0.2.0"), BestPathReason.Origin);
    }

    [Fact]
    public void Confederation_segments_do_not_count()
    {
        var confederation = Path(segments: Segments(ConfedSequence(65100, 65101, 65102), ConfedSet(65103, 65104), Sequence(65001)));

        Assert.Equal(1, confederation.Attributes.AsPath.Length);
        AssertWins(confederation, Path(asPath: [65001, 65010], peer: "192.0.2.0"), BestPathReason.AsPathLength);
        AssertWins(confederation, Path(asPath: [65001], origin: Origin.Incomplete, peer: "192.0.2.0"), BestPathReason.Origin);
    }

    // Step 4: ORIGIN.

    [Theory]
    [InlineData(Origin.Igp, Origin.Egp)]
    [InlineData(Origin.Egp, Origin.Incomplete)]
    [InlineData(Origin.Igp, Origin.Incomplete)]
    public void Lowest_origin_wins(Origin better, Origin worse) =>
        AssertWins(Path(origin: better, med: 50), Path(origin: worse, med: 0, peer: "192.0.2.0"), BestPathReason.Origin);

    // Step 5: MULTI_EXIT_DISC.

    [Fact]
    public void Lowest_med_wins_among_paths_from_the_same_neighbour_as() =>
        AssertWins(
            Path(asPath: [65001, 65010], med: 10, external: false, routerId: 9),
            Path(asPath: [65001, 65020], med: 20, peer: "192.0.2.0", routerId: 1),
            BestPathReason.MultiExitDisc);

    [Fact]
    public void Missing_med_counts_as_zero()
    {
        AssertWins(Path(med: null, routerId: 9), Path(med: 1, routerId: 1, peer: "192.0.2.0"), BestPathReason.MultiExitDisc);
        Assert.Equal((-1, BestPathReason.RouterId), Sign(BestPath.Compare(Path(med: 0, routerId: 1), Path(med: null, routerId: 2))));
    }

    [Fact]
    public void Med_is_ignored_between_different_neighbour_ases()
    {
        var highMed = Path(asPath: [65001], med: 100, routerId: 1);
        var lowMed = Path(asPath: [65002], med: 1, routerId: 2, peer: "192.0.2.2");

        AssertWins(highMed, lowMed, BestPathReason.RouterId);
    }

    [Fact]
    public void Local_paths_and_paths_from_inside_the_as_share_a_neighbour_as_for_med()
    {
        // Both local: the MED step compares them.
        AssertWins(LocalPath(med: 1, nextHop: "10.0.0.9"), LocalPath(med: 2, nextHop: "10.0.0.1"), BestPathReason.MultiExitDisc);

        // iBGP paths originated inside the AS (empty AS_PATH) group together too.
        AssertWins(
            Path(asPath: [], external: false, med: 1, routerId: 9),
            Path(asPath: [], external: false, med: 2, routerId: 1, peer: "192.0.2.0"),
            BestPathReason.MultiExitDisc);
    }

    [Fact]
    public void Med_compares_the_neighbour_as_after_confederation_segments() =>
        AssertWins(
            Path(segments: Segments(ConfedSequence(65100), Sequence(65001, 65010)), med: 1, external: false, routerId: 9),
            Path(segments: Segments(ConfedSequence(65200), Sequence(65001, 65020)), med: 2, external: false, routerId: 1, peer: "192.0.2.0"),
            BestPathReason.MultiExitDisc);

    [Fact]
    public void Med_cycle_is_resolved_as_the_rfc_does_for_the_set()
    {
        // A beats B on MED (same neighbour AS), B beats C on router ID, C beats A on router ID:
        // pairwise comparison cycles, so the winner would depend on the order it is applied in.
        var a = Path(asPath: [65001, 65010], med: 10, routerId: 3, peer: "192.0.2.3");
        var b = Path(asPath: [65001, 65020], med: 20, routerId: 1, peer: "192.0.2.1");
        var c = Path(asPath: [65002, 65030], med: null, routerId: 2, peer: "192.0.2.2", peerAs: 65002);

        Assert.Equal((-1, BestPathReason.MultiExitDisc), Sign(BestPath.Compare(a, b)));
        Assert.Equal((-1, BestPathReason.RouterId), Sign(BestPath.Compare(b, c)));
        Assert.Equal((-1, BestPathReason.RouterId), Sign(BestPath.Compare(c, a)));

        // RFC 4271 §9.1.2.2 c: B goes at the MED step (A has a lower MED from AS 65001); then C beats A on router ID.
        foreach (var order in Permutations([a, b, c]))
        {
            var result = BestPath.Select(order);
            Assert.Same(c, result.Best);
            Assert.Equal(BestPathReason.RouterId, result.Reason);
        }
    }

    [Fact]
    public void Med_step_removes_every_path_beaten_within_its_neighbour_as()
    {
        var a1 = Path(asPath: [65001, 65010], med: 5, routerId: 4, peer: "192.0.2.4");
        var a2 = Path(asPath: [65001, 65011], med: null, routerId: 3, peer: "192.0.2.3");
        var b1 = Path(asPath: [65002, 65020], med: 7, routerId: 1, peer: "192.0.2.1", peerAs: 65002);
        var b2 = Path(asPath: [65002, 65021], med: 3, routerId: 2, peer: "192.0.2.2", peerAs: 65002);

        // a1 (MED 5 vs 0) and b1 (MED 7 vs 3) go; b2 beats a2 on router ID, although b1 would have beaten both.
        foreach (var order in Permutations([a1, a2, b1, b2]))
        {
            var result = BestPath.Select(order);
            Assert.Same(b2, result.Best);
            Assert.Equal(BestPathReason.RouterId, result.Reason);
        }
    }

    [Fact]
    public void Med_step_can_decide_among_many_paths()
    {
        var best = Path(asPath: [65001, 65010], med: 1, routerId: 9, peer: "192.0.2.9");
        var worse = Path(asPath: [65001, 65011], med: 2, routerId: 1, peer: "192.0.2.1");
        var worst = Path(asPath: [65001, 65012], med: 3, routerId: 1, peer: "192.0.2.2");

        foreach (var order in Permutations([best, worse, worst]))
        {
            Assert.Equal(new BestPathResult(best, BestPathReason.MultiExitDisc), BestPath.Select(order));
        }
    }

    // Step 6: eBGP over iBGP.

    [Fact]
    public void External_path_beats_internal_path() =>
        AssertWins(
            Path(external: true, asPath: [65001], routerId: 9, peer: "192.0.2.9"),
            Path(external: false, peerAs: 65000, asPath: [65002], routerId: 1, peer: "192.0.2.1"),
            BestPathReason.ExternalOverInternal);

    // Step 7: BGP identifier, or ORIGINATOR_ID.

    [Fact]
    public void Lowest_router_id_wins() =>
        AssertWins(Path(routerId: 0x0A000001, peer: "192.0.2.9"), Path(routerId: 0x0A000002, peer: "192.0.2.1"), BestPathReason.RouterId);

    [Fact]
    public void Originator_id_stands_in_for_the_router_id_of_a_reflected_path()
    {
        var reflected = Path(external: false, routerId: 100, originatorId: 5, clusterList: [1, 2], peer: "192.0.2.9");
        var direct = Path(external: false, routerId: 10, peer: "192.0.2.1");

        AssertWins(reflected, direct, BestPathReason.RouterId);
        AssertWins(direct, Path(external: false, routerId: 1, originatorId: 50, peer: "192.0.2.0"), BestPathReason.RouterId);
    }

    // Step 8: CLUSTER_LIST length.

    [Fact]
    public void Shortest_cluster_list_wins() =>
        AssertWins(
            Path(external: false, routerId: 7, originatorId: 5, clusterList: [1], peer: "192.0.2.9"),
            Path(external: false, routerId: 3, originatorId: 5, clusterList: [1, 2], peer: "192.0.2.1"),
            BestPathReason.ClusterListLength);

    [Fact]
    public void Missing_cluster_list_is_shortest() =>
        AssertWins(
            Path(external: false, routerId: 5, peer: "192.0.2.9"),
            Path(external: false, routerId: 3, originatorId: 5, clusterList: [1], peer: "192.0.2.1"),
            BestPathReason.ClusterListLength);

    // Step 9: peer address.

    [Theory]
    [InlineData("192.0.2.1", "192.0.2.2")]
    [InlineData("10.0.0.9", "10.0.0.10")]
    [InlineData("9.255.255.255", "10.0.0.0")]
    [InlineData("203.0.113.1", "2001:db8::1")]
    [InlineData("255.255.255.255", "::1")]
    [InlineData("2001:db8::2", "2001:db8::10")]
    [InlineData("2001:db8::ffff", "2001:db8:0:1::")]
    [InlineData("fd00::1", "fe80::1")]
    public void Lowest_peer_address_wins(string better, string worse) =>
        AssertWins(Path(peer: better), Path(peer: worse), BestPathReason.PeerAddress);

    [Fact]
    public void Paths_from_one_peer_are_ordered_by_path_id() =>
        AssertWins(Path(pathId: 1, nextHop: "192.0.2.200"), Path(pathId: 2, nextHop: "192.0.2.100"), BestPathReason.PeerAddress);

    [Fact]
    public void Local_paths_tied_on_every_step_are_ordered_by_next_hop() =>
        AssertWins(LocalPath(nextHop: "10.0.0.1"), LocalPath(nextHop: "10.0.0.2"), BestPathReason.PeerAddress);

    // The set as a whole.

    [Fact]
    public void Selection_does_not_depend_on_the_order_of_candidates()
    {
        // longer goes at the AS_PATH step, viaEbgp at the MED step, viaIbgp at the eBGP step: lowerMed
        // wins, though viaEbgp beats viaIbgp and lowerMed pairwise would have lost to nothing else.
        var viaIbgp = Path(external: false, peerAs: 65000, asPath: [65003, 65010], routerId: 1, peer: "10.0.0.1");
        var viaEbgp = Path(asPath: [65001, 65010], med: 20, routerId: 4, peer: "192.0.2.4");
        var lowerMed = Path(asPath: [65001, 65011], med: 10, routerId: 5, peer: "192.0.2.5");
        var longer = Path(asPath: [65002, 65020, 65030], routerId: 0, peer: "192.0.2.0", peerAs: 65002);

        foreach (var order in Permutations([viaIbgp, viaEbgp, lowerMed, longer]))
        {
            Assert.Equal(new BestPathResult(lowerMed, BestPathReason.ExternalOverInternal), BestPath.Select(order));
        }
    }

    [Fact]
    public void Random_sets_select_the_same_path_in_every_order()
    {
        var random = new Random(4271);
        for (var trial = 0; trial < 300; trial++)
        {
            var candidates = Enumerable.Range(0, random.Next(3, 6)).Select(i => RandomPath(random, i)).ToArray();
            var expected = BestPath.Select(candidates);

            foreach (var order in Permutations(candidates))
            {
                var result = BestPath.Select(order);
                Assert.Same(expected.Best, result.Best);
                Assert.Equal(expected.Reason, result.Reason);
            }

            // Without MEDs the comparison is a total order, and the winner is its minimum.
            if (candidates.All(c => c.Attributes.MultiExitDisc is null))
            {
                Assert.All(candidates, c => Assert.True(BestPath.Compare(expected.Best, c).Comparison <= 0));
            }
        }
    }

    [Fact]
    public void Many_candidates_are_selected_like_few()
    {
        var random = new Random(4456);
        var candidates = Enumerable.Range(0, 200)
            .Select(i => Path(routerId: (uint)(1000 + i), peer: $"192.0.2.{i % 250}"))
            .OrderBy(_ => random.Next())
            .ToArray();

        var result = BestPath.Select(candidates);

        Assert.Equal(1000u, result.Best.Source.PeerRouterId);
        Assert.Equal(BestPathReason.RouterId, result.Reason);
        Assert.Equal(result, BestPath.Select([.. Enumerable.Reverse(candidates)]));
    }

    [Fact]
    public void Selection_among_few_candidates_does_not_allocate()
    {
        Route[] two = [Path(med: 2), Path(med: 1, peer: "192.0.2.2")];
        Route[] three = [Path(med: 2), Path(med: 1, peer: "192.0.2.2"), Path(asPath: [65002], peer: "2001:db8::1")];
        _ = BestPath.Select(two);
        _ = BestPath.Select(three);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            _ = BestPath.Select(two);
            _ = BestPath.Select(three);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    /// <summary>
    /// Asserts that <paramref name="winner"/> beats <paramref name="loser"/> at <paramref name="reason"/>:
    /// pairwise both ways, in Select both ways, and in Select with a third path that falls at the first step.
    /// </summary>
    private static void AssertWins(Route winner, Route loser, BestPathReason reason)
    {
        Assert.Equal((-1, reason), Sign(BestPath.Compare(winner, loser)));
        Assert.Equal((1, reason), Sign(BestPath.Compare(loser, winner)));

        var outsider = Path(localPref: 0, peer: "198.51.100.1");
        foreach (var order in Permutations([winner, loser]).Concat(Permutations([winner, loser, outsider])))
        {
            var result = BestPath.Select(order);
            Assert.Same(winner, result.Best);
            Assert.Equal(reason, result.Reason);
        }
    }

    private static (int, BestPathReason) Sign((int Comparison, BestPathReason Reason) result) =>
        (Math.Sign(result.Comparison), result.Reason);

    private static IEnumerable<Route[]> Permutations(Route[] routes)
    {
        if (routes.Length <= 1)
        {
            yield return routes;
            yield break;
        }

        for (var i = 0; i < routes.Length; i++)
        {
            var rest = routes.Where((_, j) => j != i).ToArray();
            foreach (var tail in Permutations(rest))
            {
                yield return [routes[i], .. tail];
            }
        }
    }

    private static Route RandomPath(Random random, int index)
    {
        if (random.Next(8) == 0)
        {
            return LocalPath(med: RandomMed(random), origin: (Origin)random.Next(3), nextHop: $"10.0.0.{index}");
        }

        var neighborAs = (uint)(65001 + random.Next(2));
        var asPath = Enumerable.Range(0, random.Next(3)).Select(i => (uint)(65010 + i)).Prepend(neighborAs).ToArray();
        return Path(
            peer: random.Next(2) == 0 ? $"192.0.2.{index}" : $"2001:db8::{index}",
            routerId: (uint)random.Next(1, 4),
            peerAs: neighborAs,
            external: random.Next(2) == 0,
            asPath: asPath,
            origin: (Origin)random.Next(2),
            med: RandomMed(random),
            localPref: random.Next(4) == 0 ? 200u : null,
            originatorId: random.Next(3) == 0 ? (uint)random.Next(1, 4) : null,
            clusterList: Enumerable.Range(1, random.Next(3)).Select(i => (uint)i).ToArray());
    }

    private static uint? RandomMed(Random random) => random.Next(3) switch
    {
        0 => null,
        1 => 0u,
        _ => (uint)random.Next(1, 4) * 10,
    };
}

/// <summary>Routes to one prefix, equal on every step of the decision process unless a test says otherwise.</summary>
public static class RouteBuilder
{
    public static Prefix Destination { get; } = Prefix.Parse("10.96.0.0/16");

    /// <summary>
    /// A path learned from a peer: by default over eBGP from 192.0.2.1 (router ID 1, AS 65001) with
    /// AS_PATH 65001 (iBGP: empty), next hop the peer. <paramref name="segments"/> overrides <paramref name="asPath"/>.
    /// </summary>
    public static Route Path(
        string peer = "192.0.2.1",
        uint routerId = 1,
        uint peerAs = 65001,
        bool external = true,
        uint[]? asPath = null,
        AsPath? segments = null,
        Origin origin = Origin.Igp,
        uint? med = null,
        uint? localPref = null,
        uint? originatorId = null,
        uint[]? clusterList = null,
        uint pathId = 0,
        string? nextHop = null)
    {
        var attributes = PathAttributes.Empty with
        {
            Origin = origin,
            AsPath = segments ?? AsPath.Sequence(asPath ?? (external ? [peerAs] : [])),
            MultiExitDisc = med,
            LocalPref = localPref,
            OriginatorId = originatorId,
            ClusterList = clusterList ?? [],
        };
        var source = new RouteSource(IPAddress.Parse(peer), routerId, peerAs, external);
        return new Route(Destination, attributes, IPAddress.Parse(nextHop ?? peer), source, pathId);
    }

    /// <summary>A path this speaker originates.</summary>
    public static Route LocalPath(Origin origin = Origin.Igp, uint? med = null, AsPath? asPath = null, string nextHop = "10.0.0.1")
    {
        var attributes = PathAttributes.Empty with { Origin = origin, MultiExitDisc = med, AsPath = asPath ?? AsPath.Empty };
        return new Route(Destination, attributes, IPAddress.Parse(nextHop), RouteSource.Local);
    }

    public static AsPath Segments(params AsPathSegment[] segments) => new(segments);

    public static AsPathSegment Sequence(params uint[] asns) => new(AsPathSegmentType.AsSequence, asns);

    public static AsPathSegment Set(params uint[] asns) => new(AsPathSegmentType.AsSet, asns);

    public static AsPathSegment ConfedSequence(params uint[] asns) => new(AsPathSegmentType.ConfedSequence, asns);

    public static AsPathSegment ConfedSet(params uint[] asns) => new(AsPathSegmentType.ConfedSet, asns);
}
