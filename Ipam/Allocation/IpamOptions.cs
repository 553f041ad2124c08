namespace Routing.Ipam.Allocation;

/// <summary>Cluster-wide IPAM settings (Calico's IPAMConfig) and the allocator's retry policy.</summary>
public sealed record IpamOptions
{
    /// <summary>A node allocates only from its own blocks: it never borrows from another node's.</summary>
    public bool StrictAffinity { get; init; }

    /// <summary>The most blocks one node claims; 0 for no limit. Past it the node borrows (unless <see cref="StrictAffinity"/>).</summary>
    public int MaxBlocksPerHost { get; init; }

    public IpamRetryPolicy Retry { get; init; } = IpamRetryPolicy.Default;
}
