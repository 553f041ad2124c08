using Routing.Agent.Resources;

namespace Routing.Agent.Cli;

/// <summary>Kind names as an operator types them: <c>BGPPeer</c>, <c>bgppeer</c>, <c>bgppeers</c>.</summary>
internal static class KindNames
{
    public static string Resolve(string typed)
    {
        ArgumentNullException.ThrowIfNull(typed);
        foreach (var kind in ResourceKinds.All)
        {
            if (string.Equals(typed, kind, StringComparison.OrdinalIgnoreCase) || string.Equals(typed, Plural(kind), StringComparison.OrdinalIgnoreCase))
            {
                return kind;
            }
        }

        throw new CliException($"unknown kind '{typed}'; one of: {string.Join(", ", ResourceKinds.All)}");
    }

    public static string Plural(string kind) => kind.ToLowerInvariant() + (kind.EndsWith('y') ? "" : "s");
}
