using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Routing.Dataplane.Routes;

/// <summary>
/// A <see cref="RouteKey"/> in integers only: rtm_family, the destination's bits (an IPv4 address
/// in the low 32), its prefix length, the table and the metric as the kernel keeps it. A dump is
/// read into these and held against the wanted routes, and a delete is written from one, without
/// an object per route.
/// </summary>
public readonly record struct PackedRouteKey(byte Family, UInt128 Address, byte PrefixLength, uint Table, uint Metric)
{
    /// <summary>AF_INET, as rtm_family has it.</summary>
    public const byte InterNetwork = 2;

    /// <summary>AF_INET6.</summary>
    public const byte InterNetworkV6 = 10;

    /// <summary>An IPv4 key: <paramref name="address"/> in host order (10.1.0.0 is 0x0a010000).</summary>
    public static PackedRouteKey IPv4(uint address, byte prefixLength, uint table = RouteTables.Main, uint metric = 0) =>
        new(InterNetwork, address, prefixLength, table, metric);

    public static PackedRouteKey From(RouteKey key)
    {
        var address = Pack(key.Destination.BaseAddress, out var family);
        return new PackedRouteKey(family, address, (byte)key.Destination.PrefixLength, key.Table, key.Metric);
    }

    public RouteKey ToRouteKey() => new(Table, new IPNetwork(Unpack(Family, Address), PrefixLength), Metric);

    public override string ToString() => ToRouteKey().ToString();

    /// <summary>An address's bits and its rtm_family.</summary>
    internal static UInt128 Pack(IPAddress address, out byte family)
    {
        Span<byte> bytes = stackalloc byte[16];
        if (!address.TryWriteBytes(bytes, out var written))
        {
            throw new ArgumentException($"cannot encode address {address}", nameof(address));
        }

        family = written == 4 ? InterNetwork : InterNetworkV6;
        return Pack(bytes[..written]);
    }

    /// <summary>The bits of an address attribute's 4 or 16 bytes (network order).</summary>
    internal static UInt128 Pack(ReadOnlySpan<byte> bytes) =>
        bytes.Length == 4 ? BinaryPrimitives.ReadUInt32BigEndian(bytes) : BinaryPrimitives.ReadUInt128BigEndian(bytes);

    internal static IPAddress Unpack(byte family, UInt128 address)
    {
        Span<byte> bytes = stackalloc byte[16];
        if (family == InterNetwork)
        {
            BinaryPrimitives.WriteUInt32BigEndian(bytes, (uint)address);
            return new IPAddress(bytes[..4]);
        }

        BinaryPrimitives.WriteUInt128BigEndian(bytes, address);
        return new IPAddress(bytes);
    }

    internal static byte FamilyOf(AddressFamily family) => family == AddressFamily.InterNetworkV6 ? InterNetworkV6 : InterNetwork;
}
