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
public readonly struct PackedRouteKey : IEquatable<PackedRouteKey>
{
    /// <summary>AF_INET, as rtm_family has it.</summary>
    public const byte InterNetwork = 2;

    /// <summary>AF_INET6.</summary>
    public const byte InterNetworkV6 = 10;

    // The address as two halves rather than a UInt128: 32 bytes a key instead of 48 (UInt128's 16-byte alignment).
    private readonly ulong high;
    private readonly ulong low;

    public PackedRouteKey(byte family, UInt128 address, byte prefixLength, uint table, uint metric)
    {
        high = (ulong)(address >> 64);
        low = (ulong)address;
        Table = table;
        Metric = metric;
        Family = family;
        PrefixLength = prefixLength;
    }

    public uint Table { get; }

    public uint Metric { get; }

    /// <summary>rtm_family: <see cref="InterNetwork"/> or <see cref="InterNetworkV6"/>.</summary>
    public byte Family { get; }

    public byte PrefixLength { get; }

    /// <summary>The destination's bits, network order read as one number (an IPv4 address in the low 32).</summary>
    public UInt128 Address => new(high, low);

    public static bool operator ==(PackedRouteKey left, PackedRouteKey right) => left.Equals(right);

    public static bool operator !=(PackedRouteKey left, PackedRouteKey right) => !left.Equals(right);

    public bool Equals(PackedRouteKey other) =>
        low == other.low && high == other.high && Table == other.Table && Metric == other.Metric
        && Family == other.Family && PrefixLength == other.PrefixLength;

    public override bool Equals(object? obj) => obj is PackedRouteKey other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(low, high, Table, Metric, (Family << 8) | PrefixLength);

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
