using System.Runtime.CompilerServices;
using Routing.Bgp.Wire;

namespace Routing.Bgp.Rib;

/// <summary>A prefix as a <see cref="PrefixSlots{TKey, TValue}"/> key: compact, with a seeded hash.</summary>
internal interface IPrefixKey<TKey> : IEquatable<TKey>
    where TKey : struct, IPrefixKey<TKey>
{
    /// <summary>64 well-mixed bits: the top ones pick the segment, the low ones the slot.</summary>
    static abstract ulong Hash(in TKey key, ulong seed);

    Prefix ToPrefix();
}

/// <summary>An IPv4 prefix in one word: the address above the length.</summary>
internal readonly struct Ipv4Key(ulong packed) : IPrefixKey<Ipv4Key>
{
    private readonly ulong packed = packed;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Ipv4Key Of(Prefix prefix) => new((prefix.Low << 8) | prefix.Length);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Hash(in Ipv4Key key, ulong seed) => Mixer.Mix(key.packed ^ seed);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Equals(Ipv4Key other) => packed == other.packed;

    public override bool Equals(object? obj) => obj is Ipv4Key other && Equals(other);

    public override int GetHashCode() => packed.GetHashCode();

    public Prefix ToPrefix() => Prefix.IPv4((uint)(packed >> 8), (int)(packed & 0xFF));
}

/// <summary>An IPv6 prefix: the address halves and the length.</summary>
internal readonly struct Ipv6Key(ulong high, ulong low, byte length) : IPrefixKey<Ipv6Key>
{
    private readonly ulong high = high;
    private readonly ulong low = low;
    private readonly byte length = length;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Ipv6Key Of(Prefix prefix) => new(prefix.High, prefix.Low, prefix.Length);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Hash(in Ipv6Key key, ulong seed) => Mixer.Mix(Mixer.Mix(Mixer.Mix(key.high ^ seed) ^ key.low) ^ key.length);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Equals(Ipv6Key other) => low == other.low && high == other.high && length == other.length;

    public override bool Equals(object? obj) => obj is Ipv6Key other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(high, low, length);

    public Prefix ToPrefix() => Prefix.IPv6(new UInt128(high, low), length);
}

internal static class Mixer
{
    /// <summary>
    /// MurmurHash3's 64-bit finaliser: every input bit moves every output bit. With a random seed
    /// XORed in first, a peer cannot choose prefixes that pile up in one place of the table.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Mix(ulong x)
    {
        x ^= x >> 33;
        x *= 0xff51afd7ed558ccdUL;
        x ^= x >> 33;
        x *= 0xc4ceb9fe1a85ec53UL;
        x ^= x >> 33;
        return x;
    }
}
