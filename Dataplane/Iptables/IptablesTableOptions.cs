using System.Net.Sockets;

namespace Routing.Dataplane.Iptables;

/// <summary>How an <see cref="IptablesTable"/> finds and marks what it owns.</summary>
public sealed record IptablesTableOptions
{
    /// <summary>filter, nat, mangle, raw or security.</summary>
    public required string Table { get; init; }

    /// <summary>IPv4 (iptables) or IPv6 (ip6tables).</summary>
    public AddressFamily Family { get; init; } = AddressFamily.InterNetwork;

    /// <summary>Which iptables to drive; <see cref="IptablesBackendDetector"/> picks the system's.</summary>
    public IptablesBackend Backend { get; init; } = IptablesBackend.Nft;

    /// <summary>Every chain whose name starts with this is the agent's, and no other chain is.</summary>
    public string ChainPrefix { get; init; } = "rt-";

    /// <summary>The comment on each of our rules is this followed by the rule's hash.</summary>
    public string HashCommentPrefix { get; init; } = "rt:";

    /// <summary>
    /// The hash comment prefixes of the other tables of the same agent that insert rules into the
    /// same built-in chains: their rules may precede ours without our moving back to the top.
    /// </summary>
    public IReadOnlyList<string> CoOwnerHashCommentPrefixes { get; init; } = [];

    /// <summary>
    /// How often an apply reads the table back even when nothing changed on our side, to find and
    /// undo changes made by others; null never (only after a failure or <see cref="IptablesTable.RequestResync"/>).
    /// </summary>
    public TimeSpan? RefreshInterval { get; init; } = TimeSpan.FromSeconds(90);

    /// <summary>How long iptables-legacy-restore waits for the xtables lock held by another tool.</summary>
    public TimeSpan LockWait { get; init; } = TimeSpan.FromSeconds(10);

    internal void Validate()
    {
        if (!BuiltInChains.IsKnownTable(Table))
        {
            throw new ArgumentException($"unknown iptables table \"{Table}\": use filter, nat, mangle, raw or security", nameof(Table));
        }

        if (Family is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6))
        {
            throw new ArgumentException($"iptables handles IPv4 and IPv6 only, not {Family}", nameof(Family));
        }

        if (string.IsNullOrEmpty(ChainPrefix) || ChainPrefix.Length > IptablesChain.MaxNameLength - 4
            || ChainPrefix.Any(c => char.IsWhiteSpace(c) || c is '"' or '\'')
            || BuiltInChains.Of(Table).Any(b => b.StartsWith(ChainPrefix, StringComparison.Ordinal)))
        {
            throw new ArgumentException($"chain prefix \"{ChainPrefix}\" must be short, without spaces or quotes, and no built-in chain may start with it", nameof(ChainPrefix));
        }

        if (string.IsNullOrEmpty(HashCommentPrefix) || HashCommentPrefix.Any(c => char.IsWhiteSpace(c) || c is '"' or '\'' or '\\'))
        {
            throw new ArgumentException($"hash comment prefix \"{HashCommentPrefix}\" must be non-empty, without spaces, quotes or backslashes", nameof(HashCommentPrefix));
        }
    }
}
