using System.Text;

namespace Routing.Cni.AgentApi.Http2;

/// <summary>
/// An HPACK (RFC 7541) decoder for the agent's response headers and trailers: indexed fields,
/// literals with and without indexing, table size updates, and the dynamic table with eviction
/// (§4). Huffman-coded strings (§5.2) are refused: the agent's server (Kestrel) never sends them.
/// One decoder per connection, since the dynamic table spans its header blocks.
/// </summary>
internal sealed class HpackDecoder
{
    /// <summary>§4.1: 32 bytes of overhead per entry.</summary>
    private const int EntryOverhead = 32;

    /// <summary>Appendix A, names only (index 1–61); the values the plugin reads are never in it except :status.</summary>
    private static readonly string[] StaticNames =
    [
        ":authority", ":method", ":method", ":path", ":path", ":scheme", ":scheme",
        ":status", ":status", ":status", ":status", ":status", ":status", ":status",
        "accept-charset", "accept-encoding", "accept-language", "accept-ranges", "accept",
        "access-control-allow-origin", "age", "allow", "authorization", "cache-control",
        "content-disposition", "content-encoding", "content-language", "content-length",
        "content-location", "content-range", "content-type", "cookie", "date", "etag", "expect",
        "expires", "from", "host", "if-match", "if-modified-since", "if-none-match", "if-range",
        "if-unmodified-since", "last-modified", "link", "location", "max-forwards",
        "proxy-authenticate", "proxy-authorization", "range", "referer", "refresh", "retry-after",
        "server", "set-cookie", "strict-transport-security", "transfer-encoding", "user-agent",
        "vary", "via", "www-authenticate",
    ];

    private static readonly string[] StatusValues = ["200", "204", "206", "304", "400", "404", "500"];

    private readonly List<(string Name, string Value)> dynamic = [];
    private int maxSize = 4096;
    private int size;

    /// <summary>Decodes one header block into <paramref name="fields"/>.</summary>
    public void Decode(ReadOnlySpan<byte> block, List<(string Name, string Value)> fields)
    {
        var position = 0;
        while (position < block.Length)
        {
            var first = block[position];
            if ((first & 0x80) != 0)
            {
                // §6.1 indexed header field.
                fields.Add(Entry(ReadInteger(block, ref position, 7)));
            }
            else if ((first & 0x40) != 0)
            {
                // §6.2.1 literal with incremental indexing.
                var field = ReadLiteral(block, ref position, 6);
                fields.Add(field);
                Insert(field);
            }
            else if ((first & 0x20) != 0)
            {
                // §6.3 dynamic table size update.
                maxSize = ReadInteger(block, ref position, 5);
                Evict(0);
            }
            else
            {
                // §6.2.2 / §6.2.3 literal without indexing, never indexed.
                fields.Add(ReadLiteral(block, ref position, 4));
            }
        }
    }

    /// <summary>§5.1: an integer with an N-bit prefix.</summary>
    internal static int ReadInteger(ReadOnlySpan<byte> block, ref int position, int prefixBits)
    {
        var mask = (1 << prefixBits) - 1;
        var value = block[position++] & mask;
        if (value < mask)
        {
            return value;
        }

        for (var shift = 0; ; shift += 7)
        {
            if (position >= block.Length || shift > 21)
            {
                throw new InvalidDataException("HPACK: an integer runs past the header block or beyond 2^28");
            }

            var next = block[position++];
            value += (next & 0x7f) << shift;
            if ((next & 0x80) == 0)
            {
                return value;
            }
        }
    }

    private (string Name, string Value) ReadLiteral(ReadOnlySpan<byte> block, ref int position, int prefixBits)
    {
        var index = ReadInteger(block, ref position, prefixBits);
        var name = index == 0 ? ReadString(block, ref position) : Entry(index).Name;
        return (name, ReadString(block, ref position));
    }

    /// <summary>§5.2: a string literal.</summary>
    private static string ReadString(ReadOnlySpan<byte> block, ref int position)
    {
        if (position >= block.Length)
        {
            throw new InvalidDataException("HPACK: a string is missing at the end of the header block");
        }

        var huffman = (block[position] & 0x80) != 0;
        var length = ReadInteger(block, ref position, 7);
        if (huffman)
        {
            throw new InvalidDataException("HPACK: Huffman-coded strings are not supported");
        }

        if (length > block.Length - position)
        {
            throw new InvalidDataException("HPACK: a string runs past the header block");
        }

        var text = Encoding.ASCII.GetString(block.Slice(position, length));
        position += length;
        return text;
    }

    /// <summary>§2.3.3: 1–61 the static table, then the dynamic table, newest first.</summary>
    private (string Name, string Value) Entry(int index)
    {
        if (index >= 1 && index <= StaticNames.Length)
        {
            return (StaticNames[index - 1], index is >= 8 and <= 14 ? StatusValues[index - 8] : string.Empty);
        }

        var dynamicIndex = index - StaticNames.Length - 1;
        return dynamicIndex >= 0 && dynamicIndex < dynamic.Count
            ? dynamic[dynamicIndex]
            : throw new InvalidDataException($"HPACK: index {index} is in neither table");
    }

    private void Insert((string Name, string Value) field)
    {
        var entrySize = field.Name.Length + field.Value.Length + EntryOverhead;
        Evict(entrySize);
        if (entrySize <= maxSize)
        {
            dynamic.Insert(0, field);
            size += entrySize;
        }
    }

    /// <summary>§4.4: the oldest entries go until <paramref name="room"/> more bytes fit.</summary>
    private void Evict(int room)
    {
        while (dynamic.Count > 0 && size + room > maxSize)
        {
            var (name, value) = dynamic[^1];
            size -= name.Length + value.Length + EntryOverhead;
            dynamic.RemoveAt(dynamic.Count - 1);
        }
    }
}
