using System.Buffers;
using System.Buffers.Binary;

namespace Routing.Agent.Dns.Wire;

/// <summary>
/// Copies the answer records of another server's response into a <see cref="RecordWriter"/>, names
/// written out in full (their compression pointers point into that other message): for an alias
/// chased upstream, whose answer is appended to the zone's CNAME.
/// </summary>
public static class RecordCopier
{
    /// <summary>False when the message is malformed; what was copied until then stays.</summary>
    public static bool TryCopyAnswers(ReadOnlySpan<byte> message, RecordWriter into)
    {
        ArgumentNullException.ThrowIfNull(into);
        if (message.Length < DnsHeader.Length)
        {
            return false;
        }

        var questions = BinaryPrimitives.ReadUInt16BigEndian(message[4..]);
        var answers = BinaryPrimitives.ReadUInt16BigEndian(message[6..]);
        var offset = DnsHeader.Length;
        for (var i = 0; i < questions; i++)
        {
            if (!DnsName.TrySkip(message, ref offset))
            {
                return false;
            }

            offset += 4;
        }

        Span<char> text = stackalloc char[DnsName.MaxTextLength + 2];
        for (var i = 0; i < answers; i++)
        {
            if (!DnsName.TryRead(message, ref offset, text, out var length, out _) || offset + 10 > message.Length)
            {
                return false;
            }

            var owner = new string(text[..length]);
            var type = (DnsType)BinaryPrimitives.ReadUInt16BigEndian(message[offset..]);
            var ttl = BinaryPrimitives.ReadUInt32BigEndian(message[(offset + 4)..]);
            var rdLength = BinaryPrimitives.ReadUInt16BigEndian(message[(offset + 8)..]);
            var rdata = offset + 10;
            offset = rdata + rdLength;
            if (offset > message.Length)
            {
                return false;
            }

            var expanded = new ArrayBufferWriter<byte>(rdLength + 16);
            // RFC 3597 §4: only the types of RFC 1035 may have compressed names in their data; of
            // those (and SRV, which should not), the ones an address question's answer holds.
            var fixedPrefix = type switch
            {
                DnsType.CNAME or DnsType.PTR or DnsType.NS => 0,
                (DnsType)15 => 2,
                DnsType.SRV => 6,
                _ => -1,
            };
            if (fixedPrefix < 0)
            {
                expanded.Write(message.Slice(rdata, rdLength));
            }
            else
            {
                var position = rdata + fixedPrefix;
                expanded.Write(message.Slice(rdata, fixedPrefix));
                if (!DnsName.TryRead(message, ref position, text, out var targetLength, out _))
                {
                    return false;
                }

                DnsName.Write(expanded, new string(text[..targetLength]));
            }

            into.Record(owner, type, ttl, expanded.WrittenSpan);
        }

        return true;
    }
}
