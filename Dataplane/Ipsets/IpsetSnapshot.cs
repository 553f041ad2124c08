using System.Net.Sockets;

namespace Routing.Dataplane.Ipsets;

/// <summary>
/// The sets of ours the kernel holds (by prefix), as read with <c>ipset save</c> and then kept up
/// to date after each successful restore.
/// </summary>
public sealed class IpsetSnapshot
{
    private readonly Dictionary<string, KernelIpset> sets = new(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, KernelIpset> Sets => sets;

    internal void Add(KernelIpset set) => sets[set.Name] = set;

    internal void Remove(string name) => sets.Remove(name);

    internal KernelIpset? Find(ReadOnlySpan<char> name) =>
        sets.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(name, out var set) ? set : null;

    /// <summary>Records that a restore carried out <paramref name="updates"/>.</summary>
    internal void Apply(IEnumerable<IpsetUpdate> updates, long maxElements)
    {
        foreach (var update in updates)
        {
            var set = update.Set;
            if (update.Kind == IpsetUpdateKind.Incremental && sets.TryGetValue(set.Name, out var present))
            {
                present.Members.UnionWith(update.Added);
                present.Members.ExceptWith(update.Removed);
            }
            else
            {
                sets[set.Name] = new KernelIpset(set.Name, set.Type.KernelName(), set.Family, maxElements, new HashSet<string>(set.Members, StringComparer.Ordinal));
            }
        }
    }
}

/// <summary>One set as the kernel holds it.</summary>
/// <param name="TypeName">ipset's name of the type ("hash:ip"); possibly one the agent does not make.</param>
public sealed record KernelIpset(string Name, string TypeName, AddressFamily Family, long MaxElements, HashSet<string> Members)
{
    public IpsetType? Type => IpsetTypes.FromKernelName(TypeName);
}
