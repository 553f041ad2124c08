using System.Net;

namespace Routing.Ipam.Blocks;

/// <summary>One allocated address of a block, and the sequence number it was handed out with.</summary>
public readonly record struct BlockAllocation(IPAddress Address, int Ordinal, AllocationAttribute Attribute, ulong SequenceNumber)
{
    public string? HandleId => Attribute.HandleId;
}
