namespace Routing.Ipam.Checking;

/// <summary>The result of <see cref="IpamChecker.CheckAsync"/>, grouped the way <c>routing ipam check</c> prints it.</summary>
public sealed record IpamCheckReport(IReadOnlyList<IpamProblem> Problems)
{
    public bool IsClean => Problems.Count == 0;

    /// <summary>Addresses in two blocks, and handle counts that disagree with the blocks.</summary>
    public IReadOnlyList<IpamProblem> Duplicates => Of(IpamProblemKind.DuplicateAddress, IpamProblemKind.HandleCountMismatch);

    /// <summary>Handles without allocations, and allocations without a handle record.</summary>
    public IReadOnlyList<IpamProblem> Orphans => Of(IpamProblemKind.HandleWithoutAllocations, IpamProblemKind.AllocationWithoutHandle);

    public IReadOnlyList<IpamProblem> Leaks => Of(IpamProblemKind.Leak);

    public IReadOnlyList<IpamProblem> BlocksWithoutAffinity => Of(IpamProblemKind.BlockWithoutAffinity);

    public IReadOnlyList<IpamProblem> AffinitiesWithoutBlock => Of(IpamProblemKind.AffinityWithoutBlock);

    public IReadOnlyList<IpamProblem> BlocksOutsidePools => Of(IpamProblemKind.BlockOutsidePools);

    private IReadOnlyList<IpamProblem> Of(params IpamProblemKind[] kinds) => [.. Problems.Where(p => kinds.Contains(p.Kind))];
}
