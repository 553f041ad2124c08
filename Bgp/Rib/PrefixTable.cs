using System.Diagnostics.CodeAnalysis;
using Routing.Bgp.Wire;

namespace Routing.Bgp.Rib;

/// <summary>
/// The Loc-RIB's map from prefix to what it holds for it, built for tables of a million prefixes
/// that arrive in no useful order: open addressing with the key stored in the slot (an IPv4
/// prefix in 8 bytes, so a slot is 16), one cache miss per insert where a <c>Dictionary</c> takes
/// two or three (bucket, chain, entry), and a <see cref="Prefetch"/> so a batch of inserts can have
/// its misses in flight together. Each family is split in <see cref="PrefixSlots{TKey, TValue}"/>
/// segments that grow one at a time: growing never copies or holds twice the whole table.
/// The slots hold no object references (<see cref="PrefixValues{TValue}"/>). Not thread-safe.
/// </summary>
internal sealed class PrefixTable<TValue>
    where TValue : class
{
    private readonly PrefixSlots<Ipv4Key, TValue> ipv4 = new();
    private readonly PrefixSlots<Ipv6Key, TValue> ipv6 = new();

    public int Count => ipv4.Count + ipv6.Count;

    /// <summary>Adds <paramref name="value"/> for <paramref name="prefix"/> and returns null, or returns the value already there (unchanged).</summary>
    public TValue? GetOrAdd(Prefix prefix, TValue value) => prefix.IsIPv6
        ? ipv6.GetOrAdd(Ipv6Key.Of(prefix), value)
        : ipv4.GetOrAdd(Ipv4Key.Of(prefix), value);

    public bool TryGetValue(Prefix prefix, [NotNullWhen(true)] out TValue? value) => prefix.IsIPv6
        ? ipv6.TryGetValue(Ipv6Key.Of(prefix), out value)
        : ipv4.TryGetValue(Ipv4Key.Of(prefix), out value);

    /// <summary>Adds or replaces; true when added.</summary>
    public bool Set(Prefix prefix, TValue value) => prefix.IsIPv6 ? ipv6.Set(Ipv6Key.Of(prefix), value) : ipv4.Set(Ipv4Key.Of(prefix), value);

    public bool Remove(Prefix prefix) => prefix.IsIPv6 ? ipv6.Remove(Ipv6Key.Of(prefix)) : ipv4.Remove(Ipv4Key.Of(prefix));

    /// <summary>A hint that <paramref name="prefix"/> is about to be looked up: its slot is fetched into the cache meanwhile.</summary>
    public void Prefetch(Prefix prefix)
    {
        if (prefix.IsIPv6)
        {
            ipv6.Prefetch(Ipv6Key.Of(prefix));
        }
        else
        {
            ipv4.Prefetch(Ipv4Key.Of(prefix));
        }
    }

    /// <summary>Every prefix and its value, in no particular order. The table must not change meanwhile.</summary>
    public IEnumerable<(Prefix Prefix, TValue Value)> Entries()
    {
        foreach (var (key, value) in ipv4.Entries())
        {
            yield return (key.ToPrefix(), value);
        }

        foreach (var (key, value) in ipv6.Entries())
        {
            yield return (key.ToPrefix(), value);
        }
    }
}
