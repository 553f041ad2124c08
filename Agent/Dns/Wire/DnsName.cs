using System.Buffers;

namespace Routing.Agent.Dns.Wire;

/// <summary>Domain names on the wire (RFC 1035 §3.1, §4.1.4): length-prefixed labels, ending with the root's empty label, maybe a compression pointer.</summary>
public static class DnsName
{
    /// <summary>The longest name in text form, without the final dot (255 octets on the wire).</summary>
    public const int MaxTextLength = 253;

    /// <summary>A pointer to the name at offset 12: the question's, in every response the server writes.</summary>
    public const ushort PointerToQuestion = 0xC000 | DnsHeader.Length;

    /// <summary>
    /// Reads the name at <paramref name="offset"/> into <paramref name="text"/> in lower case, labels
    /// joined with '.', no final dot (the root is ""). <paramref name="plain"/> is false when a label
    /// holds a '.' or a byte outside printable ASCII: such a name cannot be one of the zone's.
    /// Returns false when the name is malformed (runs out of the message, loops, too long).
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> message, ref int offset, Span<char> text, out int textLength, out bool plain)
    {
        textLength = 0;
        plain = true;
        var position = offset;
        var end = -1;
        var jumps = 0;
        var wire = 0;
        while (true)
        {
            if (position >= message.Length)
            {
                return false;
            }

            int length = message[position];
            if ((length & 0xC0) == 0xC0)
            {
                if (position + 1 >= message.Length || ++jumps > 64)
                {
                    return false;
                }

                if (end < 0)
                {
                    end = position + 2;
                }

                position = ((length & 0x3F) << 8) | message[position + 1];
                continue;
            }

            if ((length & 0xC0) != 0)
            {
                return false;
            }

            if (length == 0)
            {
                offset = end < 0 ? position + 1 : end;
                return true;
            }

            wire += length + 1;
            if (wire > 254 || position + 1 + length > message.Length)
            {
                return false;
            }

            if (textLength > 0)
            {
                text[textLength++] = '.';
            }

            foreach (var b in message.Slice(position + 1, length))
            {
                var c = b is >= (byte)'A' and <= (byte)'Z' ? (char)(b | 0x20) : (char)b;
                if (b is (byte)'.' or <= 0x20 or >= 0x7F)
                {
                    plain = false;
                }

                text[textLength++] = c;
            }

            position += 1 + length;
        }
    }

    /// <summary>Moves <paramref name="offset"/> past the name there; false when it is malformed.</summary>
    public static bool TrySkip(ReadOnlySpan<byte> message, ref int offset)
    {
        var position = offset;
        while (position < message.Length)
        {
            int length = message[position];
            if ((length & 0xC0) == 0xC0)
            {
                offset = position + 2;
                return offset <= message.Length;
            }

            if ((length & 0xC0) != 0)
            {
                return false;
            }

            position += 1 + length;
            if (length == 0)
            {
                offset = position;
                return true;
            }
        }

        return false;
    }

    /// <summary>Writes a name given in text form ("a.b.c", "" for the root) uncompressed.</summary>
    public static void Write(IBufferWriter<byte> writer, string name)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(name);
        var span = writer.GetSpan(WireLength(name));
        var written = Write(span, name);
        writer.Advance(written);
    }

    /// <summary>The octets <paramref name="name"/> takes on the wire, uncompressed.</summary>
    public static int WireLength(string name) => name.Length == 0 ? 1 : name.Length + 2;

    private static int Write(Span<byte> destination, string name)
    {
        var position = 0;
        foreach (var range in name.AsSpan().Split('.'))
        {
            var label = name.AsSpan()[range];
            if (label.Length == 0)
            {
                continue;
            }

            if (label.Length > 63)
            {
                throw new ArgumentException($"the label \"{label}\" of \"{name}\" is longer than 63 octets", nameof(name));
            }

            destination[position++] = (byte)label.Length;
            foreach (var c in label)
            {
                destination[position++] = (byte)c;
            }
        }

        destination[position++] = 0;
        return position;
    }
}
