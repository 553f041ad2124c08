namespace Routing.Dataplane.Iptables;

/// <summary>
/// What one table holds that concerns the agent: for each of its own chains and each built-in
/// chain, the hash of every rule in order (null for a rule without the agent's hash comment,
/// i.e. someone else's). Read with iptables-save, then kept up to date after each successful
/// restore so that an unchanged table needs no read.
/// </summary>
public sealed class IptablesSnapshot
{
    /// <summary>
    /// Marks a rule of a co-owner (another table of the same agent, e.g. the service proxy beside the
    /// policy) in a built-in chain: neither ours to delete nor foreign for the top-of-chain check.
    /// </summary>
    public const string CoOwnerRule = "\0co-owner";

    private readonly Dictionary<string, List<string?>> ownChains = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<string?>> builtInChains = new(StringComparer.Ordinal);

    /// <summary>The agent's chains (by prefix), each with its rules' hashes.</summary>
    public IReadOnlyDictionary<string, List<string?>> OwnChains => ownChains;

    /// <summary>The table's built-in chains, each with its rules' hashes (null: not ours).</summary>
    public IReadOnlyDictionary<string, List<string?>> BuiltInChains => builtInChains;

    internal List<string?> OwnChain(string name) => Get(ownChains, name);

    internal List<string?> BuiltInChain(string name) => Get(builtInChains, name);

    /// <summary>The rules of a chain already seen, looked up without allocating a name.</summary>
    internal List<string?>? Find(ReadOnlySpan<char> name) =>
        ownChains.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(name, out var own) ? own
        : builtInChains.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(name, out var builtIn) ? builtIn
        : null;

    /// <summary>Records that a restore carried out <paramref name="plan"/>.</summary>
    internal void Apply(IptablesPlan plan)
    {
        foreach (var name in plan.ChainsToDelete)
        {
            ownChains.Remove(name);
        }

        foreach (var chain in plan.ChainsToWrite)
        {
            ownChains[chain.Name] = [.. chain.Hashes];
        }

        foreach (var repair in plan.BuiltInRepairs)
        {
            var rules = BuiltInChain(repair.Chain);
            foreach (var line in repair.LinesToDelete)
            {
                rules.RemoveAt(line - 1);
            }

            rules.InsertRange(0, repair.Inserted.Hashes);
        }
    }

    private static List<string?> Get(Dictionary<string, List<string?>> chains, string name)
    {
        if (!chains.TryGetValue(name, out var rules))
        {
            rules = [];
            chains[name] = rules;
        }

        return rules;
    }
}
