using System.Globalization;
using System.Net.Sockets;

namespace Routing.Dataplane.Ipsets;

/// <summary>
/// Reads <c>ipset save</c> (the same as <c>ipset list -o save</c>) into an <see cref="IpsetSnapshot"/>
/// of the sets named with the agent's prefix:
/// <code>
/// create rt-pods hash:ip family inet hashsize 1024 maxelem 65536 bucketsize 12 initval 0x5b382f36
/// add rt-pods 10.9.9.9
/// </code>
/// </summary>
public static class IpsetSaveParser
{
    public static IpsetSnapshot Parse(string saveOutput, string prefix)
    {
        ArgumentNullException.ThrowIfNull(saveOutput);
        ArgumentException.ThrowIfNullOrEmpty(prefix);
        var snapshot = new IpsetSnapshot();
        foreach (var raw in saveOutput.AsSpan().EnumerateLines())
        {
            var line = raw.Trim();
            if (line.StartsWith("add ", StringComparison.Ordinal))
            {
                var rest = line[4..];
                var space = rest.IndexOf(' ');
                if (space < 0 || !rest.StartsWith(prefix, StringComparison.Ordinal))
                {
                    continue;
                }

                // Options after the member (timeout, nomatch, comment) are not ours to compare.
                var member = rest[(space + 1)..];
                var end = member.IndexOf(' ');
                snapshot.Find(rest[..space])?.Members.Add((end < 0 ? member : member[..end]).ToString());
            }
            else if (line.StartsWith("create ", StringComparison.Ordinal))
            {
                var words = line[7..].ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (words.Length < 2 || !words[0].StartsWith(prefix, StringComparison.Ordinal))
                {
                    continue;
                }

                var family = AddressFamily.InterNetwork;
                long maxElements = 65536;
                for (var i = 2; i + 1 < words.Length; i++)
                {
                    if (words[i] == "family")
                    {
                        family = words[i + 1] == "inet6" ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork;
                    }
                    else if (words[i] == "maxelem" && long.TryParse(words[i + 1], CultureInfo.InvariantCulture, out var max))
                    {
                        maxElements = max;
                    }
                }

                snapshot.Add(new KernelIpset(words[0], words[1], family, maxElements, new HashSet<string>(StringComparer.Ordinal)));
            }
        }

        return snapshot;
    }
}
