using System.Net;
using Routing.Ipam.Addresses;

namespace Routing.Ipam.Blocks;

public sealed partial class AllocationBlock
{
    /// <summary>
    /// Rebuilds a block from its stored fields, checking that they agree (every ordinal either
    /// allocated to a known attribute or free, never both); throws <see cref="FormatException"/>
    /// naming the field otherwise.
    /// </summary>
    public static AllocationBlock Restore(
        IPNetwork cidr,
        string? affinity,
        bool strictAffinity,
        bool deleted,
        ulong sequenceNumber,
        IReadOnlyList<int?> allocations,
        IReadOnlyList<int> unallocated,
        IReadOnlyList<AllocationAttribute> attributes,
        IReadOnlyDictionary<int, ulong>? sequenceNumbers)
    {
        ArgumentNullException.ThrowIfNull(allocations);
        ArgumentNullException.ThrowIfNull(unallocated);
        ArgumentNullException.ThrowIfNull(attributes);
        var block = new AllocationBlock(cidr, null, strictAffinity) { Affinity = affinity, Deleted = deleted, SequenceNumber = sequenceNumber };
        block.unallocated.Clear();
        var size = block.allocations.Length;
        if (allocations.Count != size)
        {
            throw Invalid(cidr, $"spec.allocations has {allocations.Count} entries; a /{cidr.PrefixLength} block has {size}.");
        }

        block.attributes.AddRange(attributes);
        for (var ordinal = 0; ordinal < size; ordinal++)
        {
            if (allocations[ordinal] is { } index && (index < 0 || index >= attributes.Count))
            {
                throw Invalid(cidr, $"spec.allocations[{ordinal}] refers to attribute {index}; there are {attributes.Count}.");
            }

            block.allocations[ordinal] = allocations[ordinal];
        }

        var free = new bool[size];
        foreach (var ordinal in unallocated)
        {
            if (ordinal < 0 || ordinal >= size || free[ordinal] || block.allocations[ordinal] is not null)
            {
                throw Invalid(cidr, $"spec.unallocated lists {ordinal}, which is out of range, listed twice or allocated.");
            }

            free[ordinal] = true;
            block.unallocated.Add(ordinal);
        }

        for (var ordinal = 0; ordinal < size; ordinal++)
        {
            if (!free[ordinal] && block.allocations[ordinal] is null)
            {
                throw Invalid(cidr, $"ordinal {ordinal} is neither allocated (spec.allocations) nor free (spec.unallocated).");
            }
        }

        foreach (var (ordinal, sequence) in sequenceNumbers ?? new Dictionary<int, ulong>())
        {
            if (ordinal >= 0 && ordinal < size && block.allocations[ordinal] is not null)
            {
                block.sequenceNumbers[ordinal] = sequence;
            }
        }

        return block;
    }

    private static FormatException Invalid(IPNetwork cidr, string message) => new($"IPAMBlock {BlockCidr.NameOf(cidr)}: {message}");
}
