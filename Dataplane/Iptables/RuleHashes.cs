using System.Buffers;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Routing.Dataplane.Iptables;

/// <summary>
/// The hash each rule of ours carries in a comment (after felix's <c>RuleHashes</c>): a chain of
/// SHA-256 over the chain's name and every rule up to and including this one. Comparing the
/// hashes read back with iptables-save against the wanted ones shows what changed: a rule's
/// text, its position, or a rule slipped in by someone else.
/// </summary>
public static class RuleHashes
{
    /// <summary>Characters of URL-safe base64 kept: 96 bits, ample for one node's rules.</summary>
    public const int Length = 16;

    public static string[] Compute(string chain, IReadOnlyList<IptablesRule> rules)
    {
        ArgumentNullException.ThrowIfNull(chain);
        ArgumentNullException.ThrowIfNull(rules);
        var hashes = new string[rules.Count];
        Span<byte> previous = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(chain), previous);
        Span<char> text = stackalloc char[Length];
        var buffer = ArrayPool<byte>.Shared.Rent(256);
        try
        {
            for (var i = 0; i < rules.Count; i++)
            {
                var body = rules[i].Body;
                var needed = SHA256.HashSizeInBytes + Encoding.UTF8.GetMaxByteCount(body.Length);
                if (buffer.Length < needed)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = ArrayPool<byte>.Shared.Rent(needed);
                }

                previous.CopyTo(buffer);
                var written = Encoding.UTF8.GetBytes(body, buffer.AsSpan(SHA256.HashSizeInBytes));
                SHA256.HashData(buffer.AsSpan(0, SHA256.HashSizeInBytes + written), previous);
                // 12 bytes encode to exactly 16 characters, with no padding.
                Base64Url.EncodeToChars(previous[..12], text);
                hashes[i] = new string(text);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return hashes;
    }

    /// <summary>True when <paramref name="text"/> has the shape of a hash this class makes.</summary>
    public static bool IsHash(ReadOnlySpan<char> text)
    {
        if (text.Length != Length)
        {
            return false;
        }

        foreach (var c in text)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            {
                return false;
            }
        }

        return true;
    }
}
