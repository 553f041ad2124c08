using Routing.Ipam.Blocks;

namespace Routing.Ipam.GarbageCollection;

/// <summary>What one pass found: leaks still in their grace period, and the addresses it released.</summary>
public sealed record GarbageCollectionReport(IReadOnlyList<LeakCandidate> Candidates, IReadOnlyList<BlockAllocation> Released);
