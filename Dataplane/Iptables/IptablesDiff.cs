namespace Routing.Dataplane.Iptables;

/// <summary>
/// Compares the wanted chains and jump rules with a table's <see cref="IptablesSnapshot"/> and
/// plans the least that makes them equal: pure, so it is tested without a kernel.
/// </summary>
public static class IptablesDiff
{
    /// <param name="chains">Wanted chains of ours, by name.</param>
    /// <param name="insertions">Wanted rules at the top of built-in chains, by built-in chain name.</param>
    /// <param name="kernel">What the table holds.</param>
    /// <param name="onlyChains">
    /// When the kernel is known to hold every other chain as wanted (it was last written from this
    /// very state), the names of the chains set or removed since: only they are compared. Null
    /// compares every chain.
    /// </param>
    public static IptablesPlan Compute(
        IReadOnlyDictionary<string, IptablesChain> chains,
        IReadOnlyDictionary<string, IptablesChain> insertions,
        IptablesSnapshot kernel,
        IReadOnlyCollection<string>? onlyChains = null)
    {
        ArgumentNullException.ThrowIfNull(chains);
        ArgumentNullException.ThrowIfNull(insertions);
        ArgumentNullException.ThrowIfNull(kernel);

        var write = new List<IptablesChain>();
        var delete = new List<string>();
        if (onlyChains is null)
        {
            foreach (var chain in chains.Values)
            {
                if (Differs(chain, kernel))
                {
                    write.Add(chain);
                }
            }

            foreach (var name in kernel.OwnChains.Keys)
            {
                if (!chains.ContainsKey(name))
                {
                    delete.Add(name);
                }
            }
        }
        else
        {
            foreach (var name in onlyChains)
            {
                if (chains.TryGetValue(name, out var chain))
                {
                    if (Differs(chain, kernel))
                    {
                        write.Add(chain);
                    }
                }
                else if (kernel.OwnChains.ContainsKey(name))
                {
                    delete.Add(name);
                }
            }
        }

        var repairs = new List<BuiltInChainRepair>();
        foreach (var (name, current) in kernel.BuiltInChains)
        {
            insertions.TryGetValue(name, out var wanted);
            if (!HasAtTop(current, wanted))
            {
                repairs.Add(new BuiltInChainRepair(name, LinesOfOurs(current), wanted ?? new IptablesChain(name)));
            }
        }

        foreach (var (name, wanted) in insertions)
        {
            if (!kernel.BuiltInChains.ContainsKey(name) && wanted.Rules.Count > 0)
            {
                // The table has not been created yet (nothing has used it in this namespace).
                repairs.Add(new BuiltInChainRepair(name, [], wanted));
            }
        }

        // Sorted so the same state always renders the same script.
        write.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        delete.Sort(StringComparer.Ordinal);
        repairs.Sort((a, b) => string.CompareOrdinal(a.Chain, b.Chain));
        return write.Count == 0 && delete.Count == 0 && repairs.Count == 0 ? IptablesPlan.Empty : new IptablesPlan(write, delete, repairs);
    }

    private static bool Differs(IptablesChain chain, IptablesSnapshot kernel) =>
        !kernel.OwnChains.TryGetValue(chain.Name, out var current) || !SameHashes(current, chain.Hashes);

    private static bool SameHashes(List<string?> current, IReadOnlyList<string> wanted)
    {
        if (current.Count != wanted.Count)
        {
            return false;
        }

        for (var i = 0; i < wanted.Count; i++)
        {
            if (!string.Equals(current[i], wanted[i], StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Our rules in the chain are exactly the wanted ones, in order, before any rule of another
    /// owner; co-owners' rules may come before or between them (each co-owner keeps its own rules
    /// first in the same way, so that none keeps moving the others).
    /// </summary>
    private static bool HasAtTop(List<string?> current, IptablesChain? wanted)
    {
        var hashes = wanted?.Hashes ?? [];
        var next = 0;
        foreach (var hash in current)
        {
            if (ReferenceEquals(hash, IptablesSnapshot.CoOwnerRule) || hash == IptablesSnapshot.CoOwnerRule)
            {
                continue;
            }

            if (next < hashes.Count)
            {
                if (!string.Equals(hash, hashes[next], StringComparison.Ordinal))
                {
                    return false;
                }

                next++;
            }
            else if (hash is not null)
            {
                return false;
            }
        }

        return next == hashes.Count;
    }

    private static int[] LinesOfOurs(List<string?> current)
    {
        var lines = new List<int>();
        for (var i = current.Count - 1; i >= 0; i--)
        {
            if (current[i] is not null && current[i] != IptablesSnapshot.CoOwnerRule)
            {
                lines.Add(i + 1);
            }
        }

        return [.. lines];
    }
}
