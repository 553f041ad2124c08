using System.Buffers;
using System.Security.Cryptography;
using System.Text;

namespace Routing.Policy.Compilation;

/// <summary>
/// Short names derived from what a chain or set means: the same meaning gives the same name on
/// every node and after every restart, so an unchanged chain or set is never rewritten.
/// </summary>
public static class ContentNames
{
    private const string Alphabet = "abcdefghijklmnopqrstuvwxyz234567";

    /// <summary>16 base32 characters (80 bits) of SHA-256 of <paramref name="meaning"/>.</summary>
    public static string Hash(string meaning)
    {
        ArgumentNullException.ThrowIfNull(meaning);
        Span<byte> hash = stackalloc byte[32];
        var length = Encoding.UTF8.GetMaxByteCount(meaning.Length);
        var rented = length > 512 ? ArrayPool<byte>.Shared.Rent(length) : null;
        Span<byte> utf8 = rented ?? stackalloc byte[512];
        SHA256.HashData(utf8[..Encoding.UTF8.GetBytes(meaning, utf8)], hash);
        if (rented is not null)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }

        Span<char> text = stackalloc char[16];
        for (var i = 0; i < 16; i++)
        {
            // 5 bits at a time from the first 10 bytes.
            var bit = i * 5;
            var value = ((hash[bit / 8] << 8) | hash[(bit / 8) + 1]) >> (11 - (bit % 8));
            text[i] = Alphabet[value & 31];
        }

        return new string(text);
    }
}
