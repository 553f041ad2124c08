namespace Routing.Ipam.Summary;

/// <summary>A pool's use: addresses in its blocks, allocated and free, against all it holds.</summary>
public sealed record PoolUsage(
    string Name,
    string Cidr,
    int BlockSize,
    bool Disabled,
    UInt128 Capacity,
    int Blocks,
    long Allocated,
    long FreeInBlocks)
{
    /// <summary>Allocated addresses as a fraction of <see cref="Capacity"/>.</summary>
    public double Utilisation => Capacity == 0 ? 0 : (double)Allocated / (double)Capacity;
}
