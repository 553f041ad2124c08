namespace Routing.Dataplane.Ipsets;

/// <summary>How one set is brought to its wanted members.</summary>
public enum IpsetUpdateKind
{
    /// <summary>The set does not exist: create it and add every member.</summary>
    Create,

    /// <summary>Add the missing members, then delete the extra ones: the set is never emptier than either state.</summary>
    Incremental,

    /// <summary>Fill a temporary set and swap it in: a rule using the set sees the old members, then the new ones.</summary>
    Swap,

    /// <summary>The set has another type or family, which swap cannot change: destroy and create it (fails while a rule uses it).</summary>
    Recreate,
}

/// <param name="Added">For <see cref="IpsetUpdateKind.Incremental"/>: members to add.</param>
/// <param name="Removed">For <see cref="IpsetUpdateKind.Incremental"/>: members to delete.</param>
public sealed record IpsetUpdate(Ipset Set, IpsetUpdateKind Kind, IReadOnlyList<string> Added, IReadOnlyList<string> Removed)
{
    public override string ToString() => $"{Kind} {Set.Name} (+{Added.Count} -{Removed.Count})";
}

/// <summary>
/// What the kernel's sets need: <see cref="Updates"/> (creations and member changes) go before the
/// iptables rules that use the sets are written, <see cref="Destroys"/> after the rules that used
/// them are gone.
/// </summary>
public sealed class IpsetPlan(IReadOnlyList<IpsetUpdate> updates, IReadOnlyList<string> destroys)
{
    public IReadOnlyList<IpsetUpdate> Updates { get; } = updates;

    public IReadOnlyList<string> Destroys { get; } = destroys;

    public bool IsEmpty => Updates.Count == 0 && Destroys.Count == 0;
}
