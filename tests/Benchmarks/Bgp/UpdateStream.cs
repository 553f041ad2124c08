using System.Buffers;
using System.Net;
using Routing.Bgp.Wire;
using Routing.Bgp.Wire.Attributes;

namespace Routing.Benchmarks.Bgp;

/// <summary>How received bytes reach the codec: one buffer, or the 4 KiB segments a pipe hands over.</summary>
public enum BufferLayout
{
    /// <summary>The whole stream in one array: every message body is decoded in place.</summary>
    Contiguous,

    /// <summary>4096-byte segments (a <c>Pipe</c>'s default): messages straddle segments and are copied out.</summary>
    PipeSegments,
}

/// <summary>Builds the UPDATE streams a peer sends, pre-encoded, for the codec and RIB benchmarks.</summary>
internal static class UpdateStream
{
    public const int PipeSegmentSize = 4096;

    public static IPAddress NextHopV4 { get; } = IPAddress.Parse("192.0.2.1");

    public static IPAddress NextHopV6 { get; } = IPAddress.Parse("2001:db8::1");

    public static IPAddress LinkLocalNextHop { get; } = IPAddress.Parse("fe80::1");

    /// <summary>The i-th distinct IPv4 /24 counting up from 10.0.0.0/24: 10.0.0.0/24, 10.0.1.0/24, ….</summary>
    public static Prefix Ipv4Slash24(int i) => Prefix.IPv4(0x0A000000u + ((uint)i << 8), 24);

    /// <summary>The i-th distinct IPv6 /48 under 2a00::/16.</summary>
    public static Prefix Ipv6Slash48(int i) => Prefix.IPv6(((UInt128)0x2a00 << 112) | ((UInt128)(uint)i << 80), 48);

    /// <summary>What BIRD sends for a plain eBGP export: ORIGIN, a two-AS path, NEXT_HOP, nothing else.</summary>
    public static PathAttributes SharedAttributes(IPAddress? nextHop) => new()
    {
        Origin = Origin.Igp,
        AsPath = AsPath.Sequence(65001, 64512),
        NextHop = nextHop,
    };

    /// <summary>Attributes that differ per route, as a full table has: AS paths of 1–6 ASes, MED on half, 0–4 communities.</summary>
    public static PathAttributes VariedAttributes(Random random, IPAddress nextHop)
    {
        var asns = new uint[random.Next(1, 7)];
        asns[0] = 65001;
        for (var i = 1; i < asns.Length; i++)
        {
            // A quarter of the ASes need four octets, as on today's Internet.
            asns[i] = random.Next(4) == 0 ? (uint)random.Next(200_000, 400_000) : (uint)random.Next(1, 64_000);
        }

        var communities = new uint[random.Next(0, 5)];
        for (var i = 0; i < communities.Length; i++)
        {
            communities[i] = Community.Of(65001, (ushort)random.Next(100, 200));
        }

        return new PathAttributes
        {
            Origin = random.Next(8) == 0 ? Origin.Incomplete : Origin.Igp,
            AsPath = AsPath.Sequence(asns),
            NextHop = nextHop,
            MultiExitDisc = random.Next(2) == 0 ? (uint)random.Next(0, 1000) : null,
            Communities = communities,
        };
    }

    /// <summary>Encodes <paramref name="messages"/> back to back, as they arrive on the session's socket.</summary>
    public static byte[] Encode(IEnumerable<BgpMessage> messages, in SessionOptions options)
    {
        var writer = new ArrayBufferWriter<byte>(1 << 20);
        foreach (var message in messages)
        {
            message.Write(writer, options);
        }

        return writer.WrittenSpan.ToArray();
    }

    public static ReadOnlySequence<byte> AsSequence(byte[] bytes, BufferLayout layout) =>
        layout == BufferLayout.Contiguous ? new ReadOnlySequence<byte>(bytes) : Segment.Split(bytes, PipeSegmentSize);

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        private Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public static ReadOnlySequence<byte> Split(byte[] bytes, int size)
        {
            var first = new Segment(bytes.AsMemory(0, Math.Min(size, bytes.Length)), 0);
            var last = first;
            for (var start = size; start < bytes.Length; start += size)
            {
                var next = new Segment(bytes.AsMemory(start, Math.Min(size, bytes.Length - start)), start);
                last.Next = next;
                last = next;
            }

            return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
        }
    }
}
