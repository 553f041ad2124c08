namespace Routing.Dataplane.Iptables;

/// <summary>The kernel's own chains per table: the only places the agent inserts jump rules.</summary>
public static class BuiltInChains
{
    private static readonly Dictionary<string, string[]> ByTable = new(StringComparer.Ordinal)
    {
        ["filter"] = ["INPUT", "FORWARD", "OUTPUT"],
        ["nat"] = ["PREROUTING", "INPUT", "OUTPUT", "POSTROUTING"],
        ["mangle"] = ["PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING"],
        ["raw"] = ["PREROUTING", "OUTPUT"],
        ["security"] = ["INPUT", "FORWARD", "OUTPUT"],
    };

    public static bool IsKnownTable(string table) => ByTable.ContainsKey(table);

    /// <summary>The built-in chains of <paramref name="table"/>, or none for an unknown table.</summary>
    public static IReadOnlyList<string> Of(string table) => ByTable.TryGetValue(table, out var chains) ? chains : [];

    public static bool Contains(string table, string chain) => Of(table).Contains(chain, StringComparer.Ordinal);
}
