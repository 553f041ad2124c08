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
internal readonly record struct Ipv4Key(ulong Packed) : IPrefixKey<Ipv4Key>
{
    public static Ipv4Key Of(Prefix prefix) => new((prefix.Low << 8) | prefix.Length);

    public static ulong Hash(in Ipv4Key key, ulong seed) => Mixer.Mix(key.Packed ^ seed);

    public Prefix ToPrefix() => Prefix.IPv4((uint)(Packed >> 8), (int)(Packed & 0xFF));
}

/// <summary>An IPv6 prefix: the address halves and the length.</summary>
internal readonly record struct Ipv6Key(ulong High, ulong Low, byte Length) : IPrefixKey<Ipv6Key>
{
    public static Ipv6Key Of(Prefix prefix) => new(prefix.High, prefix.Low, prefix.Length);

    public static ulong Hash(in Ipv6Key key, ulong seed) => Mixer.Mix(Mixer.Mix(Mixer.Mix(key.High ^ seed) ^ key.Low) ^ key.Length);

    public Prefix ToPrefix() => Prefix.IPv6(new UInt128(High, Low), Length);
}

internal static class Mixer
{
    /// <summary>
    /// MurmurHash3's 64-bit finaliser: every input bit moves every output bit. With a random seed
    /// XORed in first, a peer cannot choose prefixes that pile up in one place of the table.
    /// </summary>
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
