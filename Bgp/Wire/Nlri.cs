using System.Buffers.Binary;

namespace Routing.Bgp.Wire;

/// <summary>One NLRI entry: a prefix and, where ADD-PATH is negotiated, its path identifier (RFC 7911).</summary>
public readonly record struct Nlri(Prefix Prefix, uint PathId = 0)
{
    public override string ToString() => PathId == 0 ? Prefix.ToString() : $"{Prefix} path-id {PathId}";
}

/// <summary>The prefix list encoding of RFC 4271 §4.3 (length in bits, then the covering bytes), with optional ADD-PATH ids.</summary>
public static class NlriCodec
{
    /// <summary>
    /// Parses a whole NLRI field into an array of exactly its entries; false (with the reason) if an
    /// entry is truncated or too long for the family. An array, not a list: the speaker's hot path then
    /// indexes it inline (a list of a value type of this assembly has no precompiled code to inline).
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> field, bool isIPv6, bool addPath, out Nlri[] entries, out string? problem)
    {
        var count = Count(field, addPath);
        entries = count == 0 ? [] : new Nlri[count];
        var max = isIPv6 ? 128 : 32;
        for (var i = 0; i < entries.Length; i++)
        {
            // Count saw this entry's length octet, so with ADD-PATH its whole identifier is there.
            uint pathId = 0;
            if (addPath)
            {
                pathId = BinaryPrimitives.ReadUInt32BigEndian(field);
                field = field[4..];
            }

            int length = field[0];
            if (length > max)
            {
                problem = $"prefix length {length} is longer than {max}";
                return false;
            }

            var bytes = (length + 7) / 8;
            if (field.Length < 1 + bytes)
            {
                problem = $"prefix of length {length} needs {bytes} bytes, {field.Length - 1} left";
                return false;
            }

            entries[i] = new Nlri(Prefix.FromNlri(field.Slice(1, bytes), length, isIPv6), pathId);
            field = field[(1 + bytes)..];
        }

        // Only an ADD-PATH field can end in bytes no entry was counted for: an identifier, whole or cut, with no prefix.
        problem = field.IsEmpty ? null : field.Length < 4 ? "truncated ADD-PATH path identifier" : "path identifier without a prefix";
        return field.IsEmpty;
    }

    /// <summary>
    /// The entries a field holds, found from the length octets alone, so the array can be sized before it is
    /// filled (an UPDATE carries hundreds). A truncated last entry counts as one; <see cref="TryRead"/> says what is wrong.
    /// </summary>
    private static int Count(ReadOnlySpan<byte> field, bool addPath)
    {
        var count = 0;
        var offset = addPath ? 4 : 0;
        while (offset < field.Length)
        {
            offset += 1 + ((field[offset] + 7) / 8) + (addPath ? 4 : 0);
            count++;
        }

        return count;
    }

    /// <summary>Bytes one entry takes on the wire.</summary>
    public static int Size(in Nlri nlri, bool addPath) => (addPath ? 4 : 0) + 1 + ((nlri.Prefix.Length + 7) / 8);

    /// <summary>Writes every entry of a field; returns the bytes written.</summary>
    public static int WriteAll(Span<byte> destination, IReadOnlyList<Nlri> entries, bool addPath)
    {
        ArgumentNullException.ThrowIfNull(entries);

        // Indexed rather than foreach: no enumerator per message, one interface call per entry instead of two.
        var offset = 0;
        for (var i = 0; i < entries.Count; i++)
        {
            offset += Write(destination[offset..], entries[i], addPath);
        }

        return offset;
    }

    public static int Write(Span<byte> destination, in Nlri nlri, bool addPath)
    {
        var offset = 0;
        if (addPath)
        {
            BinaryPrimitives.WriteUInt32BigEndian(destination, nlri.PathId);
            offset = 4;
        }

        destination[offset] = nlri.Prefix.Length;
        return offset + 1 + nlri.Prefix.WriteNlriBytes(destination[(offset + 1)..]);
    }
}
