using System.Buffers.Binary;
using System.Numerics;

namespace Routing.Cni.Wiring;

/// <summary>
/// SHA-1 (FIPS 180-4 §6.1) for short inputs, written out here because the framework's goes through
/// OpenSSL: loading libssl and libcrypto cost the plugin ~2.5 ms per call, more than all of its
/// netlink requests. Only names are hashed with it (<see cref="VethName"/>), never secrets.
/// </summary>
internal static class Sha1
{
    public const int HashLength = 20;

    public static byte[] Hash(ReadOnlySpan<byte> message)
    {
        Span<uint> h = [0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0];

        // §5.1.1 padding: a 1 bit, zeros, and the length in bits as 64 bits, to a multiple of 64 bytes.
        var padded = (message.Length + 8) / 64 * 64 + 64;
        var buffer = padded <= 256 ? stackalloc byte[padded] : new byte[padded];
        buffer.Clear();
        message.CopyTo(buffer);
        buffer[message.Length] = 0x80;
        BinaryPrimitives.WriteUInt64BigEndian(buffer[^8..], (ulong)message.Length * 8);

        Span<uint> w = stackalloc uint[80];
        for (var block = 0; block < padded; block += 64)
        {
            Compress(h, buffer.Slice(block, 64), w);
        }

        var digest = new byte[HashLength];
        for (var i = 0; i < 5; i++)
        {
            BinaryPrimitives.WriteUInt32BigEndian(digest.AsSpan(i * 4), h[i]);
        }

        return digest;
    }

    /// <summary>§6.1.2: one 512-bit block into the state.</summary>
    private static void Compress(Span<uint> h, ReadOnlySpan<byte> block, Span<uint> w)
    {
        for (var t = 0; t < 16; t++)
        {
            w[t] = BinaryPrimitives.ReadUInt32BigEndian(block[(t * 4)..]);
        }

        for (var t = 16; t < 80; t++)
        {
            w[t] = BitOperations.RotateLeft(w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16], 1);
        }

        uint a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
        for (var t = 0; t < 80; t++)
        {
            // §4.1.1 f(t) and §4.2.1 K(t), by rounds of 20.
            var (f, k) = t switch
            {
                < 20 => ((b & c) | (~b & d), 0x5A827999u),
                < 40 => (b ^ c ^ d, 0x6ED9EBA1u),
                < 60 => ((b & c) | (b & d) | (c & d), 0x8F1BBCDCu),
                _ => (b ^ c ^ d, 0xCA62C1D6u),
            };
            var temp = BitOperations.RotateLeft(a, 5) + f + e + k + w[t];
            e = d;
            d = c;
            c = BitOperations.RotateLeft(b, 30);
            b = a;
            a = temp;
        }

        h[0] += a;
        h[1] += b;
        h[2] += c;
        h[3] += d;
        h[4] += e;
    }
}
