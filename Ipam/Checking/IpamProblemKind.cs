namespace Routing.Ipam.Checking;

public enum IpamProblemKind
{
    /// <summary>An address allocated in two blocks (blocks that overlap).</summary>
    DuplicateAddress,

    /// <summary>A handle counts a different number of addresses in a block than the block holds for it.</summary>
    HandleCountMismatch,

    /// <summary>A handle record whose addresses are all gone.</summary>
    HandleWithoutAllocations,

    /// <summary>An allocation whose handle has no record.</summary>
    AllocationWithoutHandle,

    /// <summary>An allocation whose owner is not live.</summary>
    Leak,

    /// <summary>A block no node's affinity record claims.</summary>
    BlockWithoutAffinity,

    /// <summary>An affinity whose block does not exist.</summary>
    AffinityWithoutBlock,

    /// <summary>A block in no pool (its pool was deleted).</summary>
    BlockOutsidePools,
}
