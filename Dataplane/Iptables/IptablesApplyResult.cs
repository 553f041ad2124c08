namespace Routing.Dataplane.Iptables;

/// <summary>What one <see cref="IptablesTable.ApplyAsync"/> did, for logs and metrics.</summary>
/// <param name="ReadKernel">The table was read back with iptables-save first.</param>
/// <param name="ChainsWritten">Chains of ours created or rewritten.</param>
/// <param name="ChainsDeleted">Chains of ours removed.</param>
/// <param name="BuiltInChainsRepaired">Built-in chains whose jump rules were (re)inserted or removed.</param>
public sealed record IptablesApplyResult(bool ReadKernel, int ChainsWritten, int ChainsDeleted, int BuiltInChainsRepaired)
{
    /// <summary>Nothing changed and nothing was run.</summary>
    public static IptablesApplyResult Unchanged { get; } = new(false, 0, 0, 0);

    /// <summary>True when iptables-restore ran.</summary>
    public bool Restored => ChainsWritten + ChainsDeleted + BuiltInChainsRepaired > 0;
}
