namespace Routing.Dataplane.Ipsets;

/// <summary>How an <see cref="IpsetTable"/> finds and sizes what it owns.</summary>
public sealed record IpsetTableOptions
{
    /// <summary>Every set whose name starts with this is the agent's, and no other set is.</summary>
    public string Prefix { get; init; } = "rt-";

    /// <summary>The capacity sets are created with (ipset's default, 65536, is small for a cluster).</summary>
    public long MaxElements { get; init; } = 1 << 20;

    /// <summary>How often an apply reads the sets back even when nothing changed on our side; null never.</summary>
    public TimeSpan? RefreshInterval { get; init; } = TimeSpan.FromSeconds(90);

    internal void Validate()
    {
        if (string.IsNullOrEmpty(Prefix) || Prefix.Length > IpsetNames.MaxLength - 12 || Prefix.Any(c => char.IsWhiteSpace(c) || c is '"' or '\'' or ':'))
        {
            throw new ArgumentException($"set prefix \"{Prefix}\" must be 1 to {IpsetNames.MaxLength - 12} characters without spaces, quotes or ':'", nameof(Prefix));
        }

        if (MaxElements < 1)
        {
            throw new ArgumentException("sets need room for at least one member", nameof(MaxElements));
        }
    }
}
