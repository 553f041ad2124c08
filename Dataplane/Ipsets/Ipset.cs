using System.Net.Sockets;

namespace Routing.Dataplane.Ipsets;

/// <summary>
/// A set as the agent wants it: kernel name, type, family and members (normalized, see
/// <see cref="IpsetMember"/>). Immutable, so a table can hold it without copying.
/// </summary>
public sealed class Ipset
{
    public Ipset(string name, IpsetType type, AddressFamily family, IEnumerable<string> members)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(members);
        if (name.Length is 0 or > IpsetNames.MaxLength || name.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c is '"' or '\''))
        {
            throw new ArgumentException($"set name \"{name}\" must be 1 to {IpsetNames.MaxLength} characters without spaces or quotes (IpsetNames.For derives one)", nameof(name));
        }

        if (family is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6))
        {
            throw new ArgumentException($"sets hold IPv4 or IPv6 members, not {family}", nameof(family));
        }

        Name = name;
        Type = type;
        Family = family;
        Members = members.Select(m => IpsetMember.Normalize(type, family, m)).ToHashSet(StringComparer.Ordinal);
    }

    public string Name { get; }

    public IpsetType Type { get; }

    public AddressFamily Family { get; }

    public IReadOnlySet<string> Members { get; }

    /// <summary>ipset's family keyword.</summary>
    public string FamilyName => Family == AddressFamily.InterNetwork ? "inet" : "inet6";

    public bool SameAs(Ipset other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Name == other.Name && Type == other.Type && Family == other.Family && Members.SetEquals(other.Members);
    }

    public override string ToString() => $"{Name} {Type.KernelName()} {FamilyName} ({Members.Count} members)";
}
