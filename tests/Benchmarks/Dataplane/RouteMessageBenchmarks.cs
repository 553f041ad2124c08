using System.Net;
using BenchmarkDotNet.Attributes;
using Routing.Dataplane.Netlink;
using Routing.Dataplane.Routes;

namespace Routing.Benchmarks.Dataplane;

/// <summary>Encoding a datagram of route requests and decoding the kernel's dump messages: the client's share of a batch.</summary>
[MemoryDiagnoser]
public class RouteMessageBenchmarks
{
    private const int PerDatagram = 1024;
    private readonly NetlinkMessageBuilder builder = new(128 << 10);
    private Route[] routes = [];
    private byte[] dump = [];

    [GlobalSetup]
    public void Setup()
    {
        var gateway = IPAddress.Parse("10.0.0.9");
        routes = Enumerable.Range(0, PerDatagram)
            .Select(i => new Route { Destination = new IPNetwork(new IPAddress(new byte[] { 32, (byte)(i >> 8), (byte)i, 0 }), 24), Gateway = gateway, Protocol = 80, InterfaceIndex = 3 })
            .ToArray();
        Encode();
        dump = builder.Written.ToArray();
    }

    [Benchmark(OperationsPerInvoke = PerDatagram)]
    public int Encode()
    {
        builder.Clear();
        for (var i = 0; i < routes.Length; i++)
        {
            RouteMessage.Write(builder, NetlinkMessageType.NewRoute, NetlinkMessageFlags.Create | NetlinkMessageFlags.Exclusive, (uint)i, routes[i]);
        }

        return builder.Length;
    }

    [Benchmark(OperationsPerInvoke = PerDatagram)]
    public int EncodeDeleteByKey()
    {
        builder.Clear();
        for (var i = 0; i < PerDatagram; i++)
        {
            RouteMessage.WriteDelete(builder, (uint)i, PackedRouteKey.IPv4(0x20000000 + ((uint)i << 8), 24), 80);
        }

        return builder.Length;
    }

    [Benchmark(OperationsPerInvoke = PerDatagram)]
    public int Decode()
    {
        var reader = new NetlinkMessageReader(dump);
        var count = 0;
        while (reader.TryRead(out var message))
        {
            if (RouteMessage.TryRead(message, out _))
            {
                count++;
            }
        }

        return count;
    }
}
