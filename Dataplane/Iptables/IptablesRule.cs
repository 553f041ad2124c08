namespace Routing.Dataplane.Iptables;

/// <summary>
/// One rule as iptables-restore reads it after <c>-A CHAIN</c>, e.g.
/// <c>-p tcp --dport 80 -j ACCEPT</c>, with an optional human comment. The table adds the
/// comment that carries the rule's hash in front of it.
/// </summary>
public sealed record IptablesRule
{
    // xt_comment keeps at most 255 characters; leave room for nothing else to go wrong.
    private const int MaxCommentLength = 200;

    public IptablesRule(string spec, string? comment = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        // A newline would end the rule inside the restore script and start another line of the
        // caller's choosing: rules are data, never script.
        if (spec.AsSpan().IndexOfAny('\n', '\r', '\0') >= 0)
        {
            throw new ArgumentException($"a rule is one line; this one holds a line break: {spec}", nameof(spec));
        }

        if (string.IsNullOrWhiteSpace(spec))
        {
            throw new ArgumentException("a rule needs at least a match or an action (e.g. \"-j ACCEPT\")", nameof(spec));
        }

        Spec = spec.Trim();
        Comment = comment is null ? null : CleanComment(comment) is { Length: > 0 } clean ? clean : null;
        Body = Comment is null ? Spec : $"-m comment --comment \"{Comment}\" {Spec}";
    }

    /// <summary>Matches and action, as written after <c>-A CHAIN</c>.</summary>
    public string Spec { get; }

    /// <summary>A note for whoever reads iptables-save (the policy or service it comes from).</summary>
    public string? Comment { get; }

    /// <summary>The rule as it is hashed and written, without the hash comment.</summary>
    public string Body { get; }

    // iptables-restore's quoting has no portable escape for quotes and backslashes across
    // versions; comments are for people, so those characters are simply dropped.
    private static string CleanComment(string comment)
    {
        var clean = new string(comment.Where(c => c is not ('"' or '\\') && !char.IsControl(c)).ToArray()).Trim();
        return clean.Length <= MaxCommentLength ? clean : clean[..MaxCommentLength];
    }
}
