using System.Net;
using BenchmarkDotNet.Attributes;
using Routing.Bgp.Rib;
using Routing.Bgp.Wire;
using Routing.Bgp.Wire.Attributes;

namespace Routing.Benchmarks.Bgp;

/// <summary>The step of the decision process at which the candidates differ.</summary>
public enum Decider
{
    /// <summary>eBGP paths from different neighbour ASes with AS paths of different lengths: decided early.</summary>
    AsPathLength,

    /// <summary>
    /// One path reflected by several route reflectors (same ORIGINATOR_ID, equally long CLUSTER_LIST):
    /// every step ties until the peer address, the longest walk the decision process takes.
    /// </summary>
    PeerAddress,
}

/// <summary>
/// <see cref="BestPath.Select"/> over the paths to one prefix. It runs once per changed prefix, so it
/// must not allocate.
/// </summary>
[MemoryDiagnoser]
public class BestPathBenchmarks
{
    private Route[] candidates = [];

    [Params(1, 2, 4)]
    public int Candidates { get; set; }

    [Params(Decider.AsPathLength, Decider.PeerAddress)]
    public Decider DecidedAt { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var prefix = Prefix.Parse("10.0.0.0/24");
        candidates = new Route[Candidates];
        for (var i = 0; i < candidates.Length; i++)
        {
            // Listed worst first, so the winner is the last candidate seen.
            var peer = new IPAddress([192, 0, 2, (byte)(10 + Candidates - i)]);
            var routerId = 0x0A000000u + (uint)(Candidates - i);
            candidates[i] = DecidedAt switch
            {
                Decider.AsPathLength => new Route(
                    prefix,
                    new PathAttributes
                    {
                        AsPath = AsPath.Sequence([.. Enumerable.Range(0, 1 + Candidates - i).Select(a => 65001u + (uint)(i * 10) + (uint)a)]),
                        NextHop = peer,
                        MultiExitDisc = 10,
                    },
                    peer,
                    new RouteSource(peer, routerId, 65001u + (uint)(i * 10), IsExternal: true)),
                _ => new Route(
                    prefix,
                    new PathAttributes
                    {
                        AsPath = AsPath.Sequence(65010, 65020),
                        NextHop = IPAddress.Parse("198.51.100.1"),
                        LocalPref = 200,
                        MultiExitDisc = 10,
                        OriginatorId = 0xC6336401,
                        ClusterList = new[] { routerId },
                    },
                    IPAddress.Parse("198.51.100.1"),
                    new RouteSource(peer, routerId, 64512, IsExternal: false)),
            };
        }

        var expected = Candidates == 1 ? BestPathReason.OnlyPath
            : DecidedAt == Decider.AsPathLength ? BestPathReason.AsPathLength
            : BestPathReason.PeerAddress;
        var result = Select();
        if (result.Reason != expected || !ReferenceEquals(result.Best, candidates[^1]))
        {
            throw new InvalidOperationException($"decided by {result.Reason}, expected {expected}");
        }
    }

    [Benchmark]
    public BestPathResult Select() => BestPath.Select(candidates);
}
