using System.Net;
using BenchmarkDotNet.Attributes;
using Routing.Bgp.Rib;
using Routing.Bgp.Wire;

namespace Routing.Benchmarks.Bgp;

/// <summary>
/// One eBGP peer sends a table of 100,000 IPv4 prefixes into an empty Loc-RIB, in batches of one
/// UPDATE's prefixes, and then withdraws them all (in the same order). A fresh Loc-RIB per invocation; the time per
/// operation is per route. Withdrawing costs the difference of the two benchmarks.
/// </summary>
[MemoryDiagnoser]
public class LocRibBenchmarks
{
    private const int Routes = 100_000;

    private static readonly IPAddress Peer = IPAddress.Parse("192.0.2.1");

    private (Nlri Nlri, PathInfo Path)[][] announcements = [];
    private (AfiSafi Family, Nlri Nlri)[][] withdrawals = [];

    /// <summary>Prefixes per <see cref="LocRib.Apply"/>: 256 as one UPDATE from BIRD carries, 1 with varied attributes.</summary>
    [Params(1, 256)]
    public int BatchSize { get; set; }

    /// <summary>False: prefixes in address order; true: shuffled, as BIRD sends a table (its own hash order), so every insert misses the cache.</summary>
    [Params(false, true)]
    public bool Shuffled { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var order = Enumerable.Range(0, Routes).ToArray();
        if (Shuffled)
        {
            new Random(1).Shuffle(order);
        }

        var source = new RouteSource(Peer, 0xC0000201, 65001, IsExternal: true);
        var attributes = UpdateStream.SharedAttributes(Peer);
        // As the speaker does: the routes of one UPDATE share one PathInfo.
        var routes = new (Nlri Nlri, PathInfo Path)[Routes];
        PathInfo? shared = null;
        for (var i = 0; i < routes.Length; i++)
        {
            shared = i % BatchSize == 0 ? new PathInfo(attributes, Peer, source) : shared!;
            routes[i] = (new Nlri(UpdateStream.Ipv4Slash24(order[i])), shared);
        }

        announcements = [.. routes.Chunk(BatchSize)];
        withdrawals = [.. routes.Select(r => (AfiSafi.Ipv4Unicast, r.Nlri)).Chunk(BatchSize)];
    }

    [Benchmark(OperationsPerInvoke = Routes)]
    public int Announce()
    {
        var rib = new LocRib();
        AnnounceAll(rib);
        return rib.Count;
    }

    [Benchmark(OperationsPerInvoke = Routes)]
    public int AnnounceThenWithdraw()
    {
        var rib = new LocRib();
        AnnounceAll(rib);
        foreach (var batch in withdrawals)
        {
            rib.Withdraw(Peer, batch);
        }

        return rib.Count;
    }

    private void AnnounceAll(LocRib rib)
    {
        foreach (var batch in announcements)
        {
            rib.Apply(Peer, batch, []);
        }
    }
}
