namespace Routing.Dataplane.Ipsets;

/// <summary>What one apply phase of an <see cref="IpsetTable"/> did, for logs and metrics.</summary>
/// <param name="ReadKernel">The sets were read back with <c>ipset save</c> first.</param>
/// <param name="SetsCreated">Sets created (or destroyed and created again with another type).</param>
/// <param name="SetsUpdated">Sets whose members changed in place.</param>
/// <param name="SetsSwapped">Sets rewritten through a temporary set and swap.</param>
/// <param name="SetsDestroyed">Sets of ours nobody wanted any more.</param>
public sealed record IpsetApplyResult(bool ReadKernel, int SetsCreated, int SetsUpdated, int SetsSwapped, int SetsDestroyed)
{
    public static IpsetApplyResult Unchanged { get; } = new(false, 0, 0, 0, 0);

    public IpsetApplyResult Plus(IpsetApplyResult other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return new(ReadKernel || other.ReadKernel, SetsCreated + other.SetsCreated, SetsUpdated + other.SetsUpdated, SetsSwapped + other.SetsSwapped, SetsDestroyed + other.SetsDestroyed);
    }
}
