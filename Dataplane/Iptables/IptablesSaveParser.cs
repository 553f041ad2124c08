namespace Routing.Dataplane.Iptables;

/// <summary>
/// Reads the output of <c>iptables-save -t TABLE</c> (with or without <c>-c</c> counters) into
/// an <see cref="IptablesSnapshot"/>: chains named with the agent's prefix, the built-in chains
/// (those with a policy), and in both the hash each rule carries in a comment
/// <c>--comment "PREFIXHASH"</c>. Everything else is skipped unread.
/// </summary>
public static class IptablesSaveParser
{
    private const string CommentOption = "--comment ";

    public static IptablesSnapshot Parse(string saveOutput, string table, string chainPrefix, string hashCommentPrefix, IReadOnlyList<string>? coOwnerHashCommentPrefixes = null)
    {
        ArgumentNullException.ThrowIfNull(saveOutput);
        ArgumentException.ThrowIfNullOrEmpty(chainPrefix);
        ArgumentException.ThrowIfNullOrEmpty(hashCommentPrefix);
        var snapshot = new IptablesSnapshot();
        var inTable = false;
        foreach (var raw in saveOutput.AsSpan().EnumerateLines())
        {
            var line = raw.TrimEnd();
            if (line.IsEmpty || line[0] == '#')
            {
                continue;
            }

            if (line[0] == '*')
            {
                inTable = line[1..].SequenceEqual(table);
                continue;
            }

            if (!inTable)
            {
                continue;
            }

            if (line[0] == ':')
            {
                // ":NAME POLICY [packets:bytes]"; user-defined chains have the policy "-".
                var rest = line[1..];
                var space = rest.IndexOf(' ');
                var name = space < 0 ? rest : rest[..space];
                var policy = space < 0 ? ReadOnlySpan<char>.Empty : NextToken(rest[(space + 1)..]);
                if (name.StartsWith(chainPrefix, StringComparison.Ordinal))
                {
                    snapshot.OwnChain(name.ToString());
                }
                else if (!policy.IsEmpty && !policy.SequenceEqual("-"))
                {
                    snapshot.BuiltInChain(name.ToString());
                }

                continue;
            }

            if (line[0] == '[')
            {
                // -c output: "[packets:bytes] -A …"
                var close = line.IndexOf("] ", StringComparison.Ordinal);
                if (close < 0)
                {
                    continue;
                }

                line = line[(close + 2)..];
            }

            if (!line.StartsWith("-A ", StringComparison.Ordinal))
            {
                continue;
            }

            var body = line[3..];
            var chainEnd = body.IndexOf(' ');
            var chain = chainEnd < 0 ? body : body[..chainEnd];
            var spec = chainEnd < 0 ? ReadOnlySpan<char>.Empty : body[(chainEnd + 1)..];
            // Rules only follow their chain's declaration, so unknown chains are someone else's.
            var rules = snapshot.Find(chain)
                ?? (chain.StartsWith(chainPrefix, StringComparison.Ordinal) ? snapshot.OwnChain(chain.ToString()) : null);
            var hash = HashIn(spec, hashCommentPrefix);
            if (hash is null && coOwnerHashCommentPrefixes is not null)
            {
                foreach (var coOwner in coOwnerHashCommentPrefixes)
                {
                    if (HashIn(spec, coOwner) is not null)
                    {
                        hash = IptablesSnapshot.CoOwnerRule;
                        break;
                    }
                }
            }

            rules?.Add(hash);
        }

        return snapshot;
    }

    /// <summary>The hash of the first comment in <paramref name="spec"/> that is one of ours, or null.</summary>
    public static string? HashIn(ReadOnlySpan<char> spec, string hashCommentPrefix)
    {
        while (true)
        {
            var at = spec.IndexOf(CommentOption, StringComparison.Ordinal);
            if (at < 0)
            {
                return null;
            }

            spec = spec[(at + CommentOption.Length)..];
            ReadOnlySpan<char> value;
            if (!spec.IsEmpty && spec[0] == '"')
            {
                var close = spec[1..].IndexOf('"');
                value = close < 0 ? spec[1..] : spec[1..(close + 1)];
            }
            else
            {
                value = NextToken(spec);
            }

            if (value.StartsWith(hashCommentPrefix, StringComparison.Ordinal)
                && RuleHashes.IsHash(value[hashCommentPrefix.Length..]))
            {
                return value[hashCommentPrefix.Length..].ToString();
            }
        }
    }

    private static ReadOnlySpan<char> NextToken(ReadOnlySpan<char> text)
    {
        var space = text.IndexOf(' ');
        return space < 0 ? text : text[..space];
    }
}
