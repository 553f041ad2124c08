using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Routing.Dataplane.Ipsets;

/// <summary>
/// Kernel names for sets. ipset allows 31 characters, fewer than a policy's name can need, so a
/// name that does not fit (or holds characters other than letters, digits, '-', '_' and '.')
/// becomes the prefix, "h:" and a hash of it: deterministic, so every agent and every restart
/// agrees. Only derived names hold ':', so they never collide with names used as they are.
/// </summary>
public static class IpsetNames
{
    /// <summary>IPSET_MAXNAMELEN less the terminating NUL.</summary>
    public const int MaxLength = 31;

    /// <summary>The kernel name for the set the caller calls <paramref name="name"/>.</summary>
    public static string For(string prefix, string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(prefix);
        ArgumentException.ThrowIfNullOrEmpty(name);
        var direct = prefix + name;
        return direct.Length <= MaxLength && name.All(IsPlain) ? direct : Hashed(prefix, "h:", name);
    }

    /// <summary>The scratch set a full rewrite of <paramref name="kernelName"/> is filled in before the swap.</summary>
    public static string TemporaryFor(string prefix, string kernelName) => Hashed(prefix, "t:", kernelName);

    /// <summary>True for a name this prefix's <see cref="TemporaryFor"/> makes.</summary>
    public static bool IsTemporary(string prefix, string kernelName)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        ArgumentNullException.ThrowIfNull(kernelName);
        return kernelName.StartsWith(prefix + "t:", StringComparison.Ordinal);
    }

    private static string Hashed(string prefix, string kind, string name)
    {
        var room = MaxLength - prefix.Length - kind.Length;
        if (room < 8)
        {
            throw new ArgumentException($"the set prefix \"{prefix}\" leaves too little room for hashed names (keep it under {MaxLength - kind.Length - 8} characters)", nameof(prefix));
        }

        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(name));
        var text = Base64Url.EncodeToString(hash);
        return prefix + kind + text[..Math.Min(room, text.Length)];
    }

    private static bool IsPlain(char c) => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.';
}
