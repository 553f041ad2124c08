using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace Routing.Bgp.Rib;

/// <summary>
/// One family of a <see cref="PrefixTable{TValue}"/>: <see cref="SegmentCount"/> open-addressing
/// arrays with linear probing, each doubling on its own when three quarters full. A slot holds a
/// key and the handle of its value in <see cref="PrefixValues{TValue}"/>; removal shifts the rest of the probe run back, so there are no
/// tombstones and lookups never slow down after withdrawals.
/// </summary>
internal sealed class PrefixSlots<TKey, TValue>
    where TKey : struct, IPrefixKey<TKey>
    where TValue : class
{
    private const int SegmentBits = 8;
    private const int SegmentCount = 1 << SegmentBits;
    private const int FirstCapacity = 16;

    private readonly Slot[]?[] segments = new Slot[SegmentCount][];
    private readonly int[] counts = new int[SegmentCount];
    private readonly ulong seed = (ulong)Random.Shared.NextInt64() | 1;
    private readonly PrefixValues<TValue> values = new();

    public int Count { get; private set; }

    /// <summary>Adds <paramref name="value"/> under <paramref name="key"/> and returns null, or returns the value already there.</summary>
    public TValue? GetOrAdd(TKey key, TValue value)
    {
        var hash = TKey.Hash(key, seed);
        var segment = (int)(hash >> (64 - SegmentBits));
        var slots = segments[segment] ??= new Slot[FirstCapacity];
        var index = Find(slots, key, hash, out var exists);
        if (exists)
        {
            return values.Get(slots[index].Handle);
        }

        if (counts[segment] >= slots.Length / 4 * 3)
        {
            slots = segments[segment] = Grow(slots);
            index = Find(slots, key, hash, out _);
        }

        counts[segment]++;
        Count++;
        slots[index] = new Slot { Key = key, Handle = values.Hold(value) };
        return null;
    }

    /// <summary>Adds or replaces; true when added.</summary>
    public bool Set(TKey key, TValue value)
    {
        var hash = TKey.Hash(key, seed);
        var slots = segments[(int)(hash >> (64 - SegmentBits))];
        if (slots is not null)
        {
            var index = Find(slots, key, hash, out var exists);
            if (exists)
            {
                var previous = slots[index].Handle;
                slots[index].Handle = values.Hold(value);
                values.Release(previous);
                return false;
            }
        }

        GetOrAdd(key, value);
        return true;
    }

    public bool TryGetValue(in TKey key, [NotNullWhen(true)] out TValue? value)
    {
        var hash = TKey.Hash(key, seed);
        var slots = segments[(int)(hash >> (64 - SegmentBits))];
        if (slots is not null)
        {
            var index = Find(slots, key, hash, out var exists);
            if (exists)
            {
                value = values.Get(slots[index].Handle);
                return true;
            }
        }

        value = null;
        return false;
    }

    public bool Remove(in TKey key)
    {
        var hash = TKey.Hash(key, seed);
        var segment = (int)(hash >> (64 - SegmentBits));
        var slots = segments[segment];
        if (slots is null)
        {
            return false;
        }

        var hole = Find(slots, key, hash, out var exists);
        if (!exists)
        {
            return false;
        }

        values.Release(slots[hole].Handle);

        // Backward shift: each later slot of the run whose home is not between the hole and it
        // moves into the hole, so every key stays reachable from its home without tombstones.
        var mask = slots.Length - 1;
        var next = hole;
        while (true)
        {
            next = (next + 1) & mask;
            if (slots[next].Handle == 0)
            {
                break;
            }

            var home = (int)TKey.Hash(slots[next].Key, seed) & mask;
            var stays = hole <= next ? hole < home && home <= next : hole < home || home <= next;
            if (!stays)
            {
                slots[hole] = slots[next];
                hole = next;
            }
        }

        slots[hole] = default;
        counts[segment]--;
        Count--;
        return true;
    }

    public unsafe void Prefetch(in TKey key)
    {
        if (!Sse.IsSupported)
        {
            return;
        }

        var hash = TKey.Hash(key, seed);
        var slots = segments[(int)(hash >> (64 - SegmentBits))];
        if (slots is not null)
        {
            // Only a hint: if a collection moved the array meanwhile, a wrong line is fetched, harmlessly.
            Sse.Prefetch0(Unsafe.AsPointer(ref slots[(int)hash & (slots.Length - 1)]));
        }
    }

    public IEnumerable<(TKey Key, TValue Value)> Entries()
    {
        foreach (var slots in segments)
        {
            if (slots is null)
            {
                continue;
            }

            for (var i = 0; i < slots.Length; i++)
            {
                if (slots[i].Handle != 0)
                {
                    yield return (slots[i].Key, values.Get(slots[i].Handle));
                }
            }
        }
    }

    /// <summary>The slot holding <paramref name="key"/>, or the free slot where it would go.</summary>
    private static int Find(Slot[] slots, in TKey key, ulong hash, out bool exists)
    {
        var mask = slots.Length - 1;
        var index = (int)hash & mask;
        while (true)
        {
            ref var slot = ref slots[index];
            if (slot.Handle == 0)
            {
                exists = false;
                return index;
            }

            if (slot.Key.Equals(key))
            {
                exists = true;
                return index;
            }

            index = (index + 1) & mask;
        }
    }

    private Slot[] Grow(Slot[] slots)
    {
        var larger = new Slot[slots.Length * 2];
        foreach (var slot in slots)
        {
            if (slot.Handle != 0)
            {
                larger[Find(larger, slot.Key, TKey.Hash(slot.Key, seed), out _)] = slot;
            }
        }

        return larger;
    }

    /// <summary>A key and its value's handle (0: free). No object references: the collector never looks inside the segments.</summary>
    private struct Slot
    {
        public TKey Key;
        public int Handle;
    }
}
