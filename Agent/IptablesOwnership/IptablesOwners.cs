namespace Routing.Agent.IptablesOwnership;

/// <summary>
/// The agent's iptables tables that insert jumps into the same built-in chains (policy and the
/// service proxy into filter FORWARD/INPUT/OUTPUT, the service proxy and natOutgoing into nat
/// POSTROUTING), by the hash comment prefix that marks each one's rules. Each table is told of the
/// others, so that all stay above foreign rules without moving each other.
/// </summary>
public static class IptablesOwners
{
    public const string Policy = "rtp-h:";

    public const string Services = "rtsvc:";

    public const string NatOutgoing = "rtnat:";

    private static readonly string[] All = [Policy, Services, NatOutgoing];

    /// <summary>The other owners' prefixes, for <c>IptablesTableOptions.CoOwnerHashCommentPrefixes</c>.</summary>
    public static IReadOnlyList<string> OthersThan(string owner) => [.. All.Where(p => p != owner)];
}
