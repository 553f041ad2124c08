namespace Routing.Dataplane.Ipsets;

/// <summary>Plans the least work that gives the kernel the wanted sets: pure, tested without a kernel.</summary>
public static class IpsetDiff
{
    /// <param name="wanted">The wanted sets by kernel name.</param>
    /// <param name="kernel">Our sets as the kernel holds them.</param>
    /// <param name="names">Only these names are compared (those changed since the last apply); null compares all.</param>
    /// <param name="maxElements">The capacity sets are created with; a smaller existing set is rewritten.</param>
    public static IpsetPlan Compute(IReadOnlyDictionary<string, Ipset> wanted, IpsetSnapshot kernel, IEnumerable<string>? names, long maxElements)
    {
        ArgumentNullException.ThrowIfNull(wanted);
        ArgumentNullException.ThrowIfNull(kernel);
        var candidates = (names ?? wanted.Keys.Concat(kernel.Sets.Keys)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
        var updates = new List<IpsetUpdate>();
        var destroys = new List<string>();
        foreach (var name in candidates)
        {
            wanted.TryGetValue(name, out var set);
            kernel.Sets.TryGetValue(name, out var present);
            if (set is null)
            {
                if (present is not null)
                {
                    destroys.Add(name);
                }
            }
            else if (Update(set, present, maxElements) is { } update)
            {
                updates.Add(update);
            }
        }

        return new IpsetPlan(updates, destroys);
    }

    private static IpsetUpdate? Update(Ipset set, KernelIpset? present, long maxElements)
    {
        if (present is null)
        {
            return new IpsetUpdate(set, IpsetUpdateKind.Create, [], []);
        }

        if (present.Type != set.Type || present.Family != set.Family)
        {
            return new IpsetUpdate(set, IpsetUpdateKind.Recreate, [], []);
        }

        var added = set.Members.Where(m => !present.Members.Contains(m)).ToList();
        var removed = present.Members.Where(m => !set.Members.Contains(m)).ToList();
        if (present.MaxElements < set.Members.Count && present.MaxElements < maxElements)
        {
            return new IpsetUpdate(set, IpsetUpdateKind.Swap, [], []);
        }

        if (added.Count == 0 && removed.Count == 0)
        {
            return null;
        }

        // A full rewrite writes every member once; the difference writes each change once. Take
        // whichever is shorter (emptying a set is always one flush, see the script).
        return added.Count + removed.Count <= Math.Max(set.Members.Count, 1)
            ? new IpsetUpdate(set, IpsetUpdateKind.Incremental, added, removed)
            : new IpsetUpdate(set, IpsetUpdateKind.Swap, [], []);
    }
}
