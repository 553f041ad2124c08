using System.Net;
using Routing.Ipam.Addresses;
using Routing.Ipam.Store;

namespace Routing.Ipam.Blocks;

/// <summary>
/// A block of a pool: which of its addresses are allocated, to whom, and since when. The whole
/// block is one stored record, so an allocation or release is a compare-and-swap of the block.
/// Instances are mutable working copies: read one from the store, change it, write it back.
/// </summary>
public sealed partial class AllocationBlock : IIpamRecord
{
    private const string HostPrefix = "host:";

    // Per ordinal: the index in attributes of the allocation's owner, or null when free.
    private readonly int?[] allocations;

    // Free ordinals in the order they are handed out: released ones go to the back, so an address is
    // reused as late as possible (stale ARP entries and late releases then hurt no one).
    private readonly List<int> unallocated;

    private readonly List<AllocationAttribute> attributes;

    // Per allocated ordinal: the block's sequence number when it was allocated. A release that
    // carries an older number is for an earlier owner and must not free the address.
    private readonly Dictionary<int, ulong> sequenceNumbers;

    /// <summary>A new, empty block, affine to <paramref name="node"/> when one is given.</summary>
    public AllocationBlock(IPNetwork cidr, string? node, bool strictAffinity = false)
    {
        Cidr = cidr;
        Name = BlockCidr.NameOf(cidr);
        Affinity = node is null ? null : AffinityFor(node);
        StrictAffinity = strictAffinity;
        allocations = new int?[BlockCidr.Size(cidr)];
        unallocated = [.. Enumerable.Range(0, allocations.Length)];
        attributes = [];
        sequenceNumbers = [];
    }

    private AllocationBlock(AllocationBlock other)
    {
        Cidr = other.Cidr;
        Name = other.Name;
        Affinity = other.Affinity;
        StrictAffinity = other.StrictAffinity;
        Deleted = other.Deleted;
        SequenceNumber = other.SequenceNumber;
        allocations = (int?[])other.allocations.Clone();
        unallocated = [.. other.unallocated];
        attributes = [.. other.attributes];
        sequenceNumbers = new Dictionary<int, ulong>(other.sequenceNumbers);
    }

    public IPNetwork Cidr { get; }

    /// <summary>The store key, e.g. "10-0-0-0-26".</summary>
    public string Name { get; }

    /// <summary>"host:NODE" for the node the block is affine to; null for none.</summary>
    public string? Affinity { get; set; }

    /// <summary>The node of <see cref="Affinity"/>, or null.</summary>
    public string? AffineNode => Affinity is { } affinity && affinity.StartsWith(HostPrefix, StringComparison.Ordinal)
        ? affinity[HostPrefix.Length..]
        : null;

    /// <summary>Whether strict affinity was in force when the block was claimed (recorded, as Calico does).</summary>
    public bool StrictAffinity { get; }

    /// <summary>Set just before the block is deleted, so an allocator that reads it in between keeps out.</summary>
    public bool Deleted { get; set; }

    /// <summary>Counts allocations over the block's life.</summary>
    public ulong SequenceNumber { get; private set; }

    public int Size => allocations.Length;

    public int AllocatedCount => allocations.Length - unallocated.Count;

    public int FreeCount => unallocated.Count;

    public bool IsEmpty => unallocated.Count == allocations.Length;

    /// <summary>Per ordinal, the index into <see cref="Attributes"/> of its owner, or null (the document's <c>allocations</c>).</summary>
    public IReadOnlyList<int?> Allocations => allocations;

    /// <summary>Free ordinals in hand-out order (the document's <c>unallocated</c>).</summary>
    public IReadOnlyList<int> Unallocated => unallocated;

    public IReadOnlyList<AllocationAttribute> Attributes => attributes;

    /// <summary>Per allocated ordinal, the sequence number it was allocated at (the document's <c>sequenceNumberForAllocation</c>).</summary>
    public IReadOnlyDictionary<int, ulong> SequenceNumbers => sequenceNumbers;

    public static string AffinityFor(string node) => HostPrefix + node;

    /// <summary>A working copy that shares nothing mutable with this one.</summary>
    public AllocationBlock Clone() => new(this);

    public bool Contains(IPAddress address) => Cidr.Contains(address);

    /// <summary>Every allocated address, in address order.</summary>
    public IEnumerable<BlockAllocation> EnumerateAllocations()
    {
        for (var ordinal = 0; ordinal < allocations.Length; ordinal++)
        {
            if (allocations[ordinal] is { } index)
            {
                yield return new BlockAllocation(BlockCidr.AddressAt(Cidr, ordinal), ordinal, attributes[index], SequenceNumberAt(ordinal));
            }
        }
    }

    /// <summary>The allocation of <paramref name="address"/>, or null when it is free (or not in the block).</summary>
    public BlockAllocation? AllocationOf(IPAddress address)
    {
        if (!Contains(address))
        {
            return null;
        }

        var ordinal = BlockCidr.Ordinal(Cidr, address);
        return allocations[ordinal] is { } index
            ? new BlockAllocation(address, ordinal, attributes[index], SequenceNumberAt(ordinal))
            : null;
    }

    /// <summary>
    /// Allocates up to <paramref name="count"/> free addresses to <paramref name="attribute"/>,
    /// skipping those <paramref name="isReserved"/> keeps out; fewer when the block runs out.
    /// </summary>
    public IReadOnlyList<BlockAllocation> AutoAssign(int count, AllocationAttribute attribute, Func<IPAddress, bool>? isReserved = null)
    {
        ArgumentNullException.ThrowIfNull(attribute);
        var taken = new List<BlockAllocation>(Math.Min(count, unallocated.Count));
        for (var i = 0; i < unallocated.Count && taken.Count < count;)
        {
            var ordinal = unallocated[i];
            var address = BlockCidr.AddressAt(Cidr, ordinal);
            if (isReserved?.Invoke(address) == true)
            {
                i++;
                continue;
            }

            unallocated.RemoveAt(i);
            taken.Add(Allocate(ordinal, address, attribute));
        }

        return taken;
    }

    /// <summary>Allocates exactly <paramref name="address"/>; null when it is already allocated (see <see cref="AllocationOf"/>).</summary>
    public BlockAllocation? Assign(IPAddress address, AllocationAttribute attribute)
    {
        ArgumentNullException.ThrowIfNull(attribute);
        if (!Contains(address))
        {
            throw new ArgumentOutOfRangeException(nameof(address), $"{address} is not in block {Cidr}.");
        }

        var ordinal = BlockCidr.Ordinal(Cidr, address);
        var at = unallocated.IndexOf(ordinal);
        if (at < 0)
        {
            return null;
        }

        unallocated.RemoveAt(at);
        return Allocate(ordinal, address, attribute);
    }

    /// <summary>
    /// Frees <paramref name="address"/> if it is allocated and, when <paramref name="sequenceNumber"/>
    /// is given, still allocated at that number; returns what was freed, or null.
    /// </summary>
    public BlockAllocation? Release(IPAddress address, ulong? sequenceNumber = null)
    {
        if (AllocationOf(address) is not { } allocation
            || (sequenceNumber is { } expected && expected != allocation.SequenceNumber))
        {
            return null;
        }

        Free(allocation.Ordinal);
        CompactAttributes();
        return allocation;
    }

    /// <summary>Frees every address held by <paramref name="handleId"/>; returns what was freed.</summary>
    public IReadOnlyList<BlockAllocation> ReleaseByHandle(string handleId)
    {
        var freed = new List<BlockAllocation>();
        foreach (var allocation in EnumerateAllocations())
        {
            if (allocation.HandleId == handleId)
            {
                freed.Add(allocation);
            }
        }

        foreach (var allocation in freed)
        {
            Free(allocation.Ordinal);
        }

        if (freed.Count > 0)
        {
            CompactAttributes();
        }

        return freed;
    }

    /// <summary>How many addresses <paramref name="handleId"/> holds in the block.</summary>
    public int CountOf(string handleId)
    {
        var count = 0;
        foreach (var index in allocations)
        {
            if (index is { } i && attributes[i].HandleId == handleId)
            {
                count++;
            }
        }

        return count;
    }

    private ulong SequenceNumberAt(int ordinal) => sequenceNumbers.GetValueOrDefault(ordinal);

    private BlockAllocation Allocate(int ordinal, IPAddress address, AllocationAttribute attribute)
    {
        var index = attributes.IndexOf(attribute);
        if (index < 0)
        {
            index = attributes.Count;
            attributes.Add(attribute);
        }

        allocations[ordinal] = index;
        var sequence = SequenceNumber++;
        sequenceNumbers[ordinal] = sequence;
        return new BlockAllocation(address, ordinal, attribute, sequence);
    }

    private void Free(int ordinal)
    {
        allocations[ordinal] = null;
        sequenceNumbers.Remove(ordinal);
        unallocated.Add(ordinal);
    }

    // Drops attributes no allocation refers to any more, so the block does not grow with every pod
    // that ever lived on it.
    private void CompactAttributes()
    {
        var used = new bool[attributes.Count];
        foreach (var index in allocations)
        {
            if (index is { } i)
            {
                used[i] = true;
            }
        }

        if (Array.TrueForAll(used, u => u))
        {
            return;
        }

        var renumbered = new int[attributes.Count];
        var kept = 0;
        for (var i = 0; i < attributes.Count; i++)
        {
            renumbered[i] = kept;
            if (used[i])
            {
                attributes[kept++] = attributes[i];
            }
        }

        attributes.RemoveRange(kept, attributes.Count - kept);
        for (var ordinal = 0; ordinal < allocations.Length; ordinal++)
        {
            if (allocations[ordinal] is { } i)
            {
                allocations[ordinal] = renumbered[i];
            }
        }
    }
}
