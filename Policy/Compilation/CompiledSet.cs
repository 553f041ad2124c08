namespace Routing.Policy.Compilation;

/// <summary>
/// An ipset the compiler wants. Its name comes from what it means (a selector, a CIDR list, a
/// port name), never from its members: a pod relabelled changes members, not names.
/// </summary>
public sealed record CompiledSet(string Name, CompiledSetType Type, IReadOnlyList<string> Members, string Meaning)
{
    public override string ToString() => $"{Name} {Type} ({Members.Count} members): {Meaning}";
}
