using System.Buffers;
using BenchmarkDotNet.Attributes;
using Routing.Bgp.Wire;

namespace Routing.Benchmarks.Bgp;

/// <summary>
/// Framing and decoding a received UPDATE stream with <see cref="BgpMessage.TryRead"/>, as a session's
/// read loop does. Each benchmark decodes 1,000 messages; the time per operation is per prefix, so
/// 1 s / Mean is the codec's prefixes per second.
/// </summary>
[MemoryDiagnoser]
public class UpdateDecodeBenchmarks
{
    private const int Messages = 1_000;

    // BIRD fills an UPDATE with the prefixes of one attribute set; ~256 /24s per message (BENCHMARKING.md).
    private const int SharedIpv4PerUpdate = 256;
    private const int Ipv6PerUpdate = 128;

    private static readonly SessionOptions Options = SessionOptions.Modern;

    private byte[] sharedIpv4 = [];
    private byte[] variedIpv4 = [];
    private byte[] ipv6 = [];
    private ReadOnlySequence<byte> sharedIpv4Stream;
    private ReadOnlySequence<byte> variedIpv4Stream;
    private ReadOnlySequence<byte> ipv6Stream;

    [Params(BufferLayout.Contiguous, BufferLayout.PipeSegments)]
    public BufferLayout Layout { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        sharedIpv4 = UpdateStream.Encode(SharedIpv4Updates(), Options);
        variedIpv4 = UpdateStream.Encode(VariedIpv4Updates(), Options);
        ipv6 = UpdateStream.Encode(Ipv6Updates(), Options);
        sharedIpv4Stream = UpdateStream.AsSequence(sharedIpv4, Layout);
        variedIpv4Stream = UpdateStream.AsSequence(variedIpv4, Layout);
        ipv6Stream = UpdateStream.AsSequence(ipv6, Layout);

        // Decode once: a stream that errors or loses prefixes would measure the wrong thing.
        Check(sharedIpv4Stream, Messages * SharedIpv4PerUpdate);
        Check(variedIpv4Stream, Messages);
        Check(ipv6Stream, Messages * Ipv6PerUpdate);
    }

    /// <summary>(a) One attribute set, 256 IPv4 /24s in the NLRI field of each UPDATE.</summary>
    [Benchmark(OperationsPerInvoke = Messages * SharedIpv4PerUpdate)]
    public int SharedAttributesIpv4() => DecodeAll(sharedIpv4Stream);

    /// <summary>(b) A different AS path, MED and communities for every prefix: one prefix per UPDATE.</summary>
    [Benchmark(OperationsPerInvoke = Messages)]
    public int VariedAttributesIpv4() => DecodeAll(variedIpv4Stream);

    /// <summary>(c) IPv6 in MP_REACH_NLRI (global and link-local next hop), 128 /48s per UPDATE.</summary>
    [Benchmark(OperationsPerInvoke = Messages * Ipv6PerUpdate)]
    public int MpReachIpv6() => DecodeAll(ipv6Stream);

    private static int DecodeAll(ReadOnlySequence<byte> buffer)
    {
        var prefixes = 0;
        while (BgpMessage.TryRead(ref buffer, Options, out var message, out var error))
        {
            if (message is not UpdateMessage update)
            {
                throw new InvalidOperationException($"decoding failed: {error}");
            }

            prefixes += update.Nlri.Count + (update.MpReach?.Nlri.Count ?? 0);
        }

        return prefixes;
    }

    private static void Check(ReadOnlySequence<byte> buffer, int expected)
    {
        var remaining = buffer;
        while (BgpMessage.TryRead(ref remaining, Options, out var message, out _))
        {
            if (message is UpdateMessage { TreatAsWithdraw: { } problem })
            {
                throw new InvalidOperationException($"an UPDATE is treated as withdraw: {problem}");
            }
        }

        var decoded = DecodeAll(buffer);
        if (decoded != expected || !remaining.IsEmpty)
        {
            throw new InvalidOperationException($"decoded {decoded} prefixes, expected {expected}; {remaining.Length} bytes left");
        }
    }

    private static IEnumerable<UpdateMessage> SharedIpv4Updates()
    {
        var attributes = UpdateStream.SharedAttributes(UpdateStream.NextHopV4);
        for (var m = 0; m < Messages; m++)
        {
            var nlri = new Nlri[SharedIpv4PerUpdate];
            for (var i = 0; i < nlri.Length; i++)
            {
                nlri[i] = new Nlri(UpdateStream.Ipv4Slash24((m * SharedIpv4PerUpdate) + i));
            }

            yield return new UpdateMessage(attributes: attributes, nlri: nlri);
        }
    }

    private static IEnumerable<UpdateMessage> VariedIpv4Updates()
    {
        var random = new Random(7606);
        for (var m = 0; m < Messages; m++)
        {
            yield return new UpdateMessage(
                attributes: UpdateStream.VariedAttributes(random, UpdateStream.NextHopV4),
                nlri: [new Nlri(UpdateStream.Ipv4Slash24(m))]);
        }
    }

    private static IEnumerable<UpdateMessage> Ipv6Updates()
    {
        // MP_REACH carries the next hop; the IPv4 NEXT_HOP attribute is absent (RFC 4760 §3).
        var attributes = UpdateStream.SharedAttributes(nextHop: null) with { MultiExitDisc = 0 };
        for (var m = 0; m < Messages; m++)
        {
            var nlri = new Nlri[Ipv6PerUpdate];
            for (var i = 0; i < nlri.Length; i++)
            {
                nlri[i] = new Nlri(UpdateStream.Ipv6Slash48((m * Ipv6PerUpdate) + i));
            }

            var reach = new MpReach(AfiSafi.Ipv6Unicast, UpdateStream.NextHopV6, UpdateStream.LinkLocalNextHop, nlri);
            yield return new UpdateMessage(attributes: attributes, mpReach: reach);
        }
    }
}
