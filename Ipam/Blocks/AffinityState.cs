namespace Routing.Ipam.Blocks;

/// <summary>
/// Where a node's claim on a block stands. Claims and releases take several writes; the state says
/// which step a crashed allocator stopped at so the next one can finish it.
/// </summary>
public enum AffinityState
{
    /// <summary>Claimed, block not yet created.</summary>
    Pending,

    /// <summary>The block exists and is the node's.</summary>
    Confirmed,

    /// <summary>Being released: the block is being deleted.</summary>
    PendingDeletion,
}
