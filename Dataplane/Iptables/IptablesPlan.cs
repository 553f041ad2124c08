namespace Routing.Dataplane.Iptables;

/// <summary>
/// What one restore must do to a table: chains of ours to (re)write whole, chains of ours to
/// delete, and built-in chains whose jump rules must be put back at the top.
/// </summary>
public sealed class IptablesPlan(
    IReadOnlyList<IptablesChain> chainsToWrite,
    IReadOnlyList<string> chainsToDelete,
    IReadOnlyList<BuiltInChainRepair> builtInRepairs)
{
    public static IptablesPlan Empty { get; } = new([], [], []);

    /// <summary>Chains flushed (or created) and filled with their wanted rules.</summary>
    public IReadOnlyList<IptablesChain> ChainsToWrite { get; } = chainsToWrite;

    /// <summary>Chains of ours nobody wants any more: flushed, then deleted.</summary>
    public IReadOnlyList<string> ChainsToDelete { get; } = chainsToDelete;

    public IReadOnlyList<BuiltInChainRepair> BuiltInRepairs { get; } = builtInRepairs;

    public bool IsEmpty => ChainsToWrite.Count == 0 && ChainsToDelete.Count == 0 && BuiltInRepairs.Count == 0;

    public override string ToString() =>
        $"write {ChainsToWrite.Count} chains, delete {ChainsToDelete.Count}, repair {BuiltInRepairs.Count} built-in chains";
}

/// <summary>
/// Our rules in a built-in chain are missing, moved, changed or stale: every rule of ours there
/// is deleted (by line number, highest first, so the numbers stay valid) and the wanted ones
/// are inserted at the top, in order.
/// </summary>
/// <param name="Chain">The built-in chain, e.g. FORWARD.</param>
/// <param name="LinesToDelete">1-based positions of our rules as last read, highest first.</param>
/// <param name="Inserted">The wanted rules, hashed under the built-in chain's name.</param>
public sealed record BuiltInChainRepair(string Chain, IReadOnlyList<int> LinesToDelete, IptablesChain Inserted);
