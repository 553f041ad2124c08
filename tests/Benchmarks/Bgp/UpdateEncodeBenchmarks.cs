using System.Buffers;
using System.Net;
using System.Net.Sockets;
using BenchmarkDotNet.Attributes;
using Routing.Bgp.Wire;
using Routing.Bgp.Wire.Attributes;

namespace Routing.Benchmarks.Bgp;

/// <summary>
/// Advertising a table to a peer: <see cref="UpdatePacker"/> packs 10,000 prefixes that share one
/// attribute set into UPDATEs, and each is written to a reused buffer as the session's send loop
/// does. The time per operation is per prefix.
/// </summary>
[MemoryDiagnoser]
public class UpdateEncodeBenchmarks
{
    private const int Prefixes = 10_000;

    private static readonly SessionOptions Options = SessionOptions.Modern;

    private readonly ArrayBufferWriter<byte> writer = new(1 << 20);
    private Nlri[] routes = [];
    private AfiSafi family;
    private PathAttributes attributes = PathAttributes.Empty;
    private IPAddress nextHop = IPAddress.None;

    [Params(AddressFamily.InterNetwork, AddressFamily.InterNetworkV6)]
    public AddressFamily Family { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var ipv6 = Family == AddressFamily.InterNetworkV6;
        family = ipv6 ? AfiSafi.Ipv6Unicast : AfiSafi.Ipv4Unicast;
        nextHop = ipv6 ? UpdateStream.NextHopV6 : UpdateStream.NextHopV4;
        attributes = UpdateStream.SharedAttributes(nextHop: null);
        routes = new Nlri[Prefixes];
        for (var i = 0; i < routes.Length; i++)
        {
            routes[i] = new Nlri(ipv6 ? UpdateStream.Ipv6Slash48(i) : UpdateStream.Ipv4Slash24(i));
        }
    }

    [Benchmark(OperationsPerInvoke = Prefixes)]
    public int AnnounceAndWrite()
    {
        writer.ResetWrittenCount();
        foreach (var update in UpdatePacker.Announce(family, attributes, nextHop, routes, Options))
        {
            update.Write(writer, Options);
        }

        return writer.WrittenCount;
    }

    [Benchmark(OperationsPerInvoke = Prefixes)]
    public int WithdrawAndWrite()
    {
        writer.ResetWrittenCount();
        foreach (var update in UpdatePacker.Withdraw(family, routes, Options))
        {
            update.Write(writer, Options);
        }

        return writer.WrittenCount;
    }
}
