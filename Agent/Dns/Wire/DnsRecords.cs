using System.Buffers.Binary;

namespace Routing.Agent.Dns.Wire;

/// <summary>Walks the records of a whole message (a forwarded response): for caching, its TTLs.</summary>
public static class DnsRecords
{
    /// <summary>
    /// Lowers every record's TTL by <paramref name="elapsed"/> seconds (not below 0; OPT is not a
    /// record and keeps its field) and gives how long the message may be cached: the least TTL of the
    /// answer and authority records, or for a negative answer the SOA's (RFC 2308 §5: the lesser of
    /// its TTL and its MINIMUM). False when the message is malformed or nothing bounds its lifetime.
    /// </summary>
    public static bool TryAgeTtls(Span<byte> message, uint elapsed, out uint cacheTtl)
    {
        cacheTtl = uint.MaxValue;
        if (message.Length < DnsHeader.Length)
        {
            return false;
        }

        var questions = BinaryPrimitives.ReadUInt16BigEndian(message[4..]);
        var answers = BinaryPrimitives.ReadUInt16BigEndian(message[6..]);
        var authorities = BinaryPrimitives.ReadUInt16BigEndian(message[8..]);
        var additionals = BinaryPrimitives.ReadUInt16BigEndian(message[10..]);
        var offset = DnsHeader.Length;
        for (var i = 0; i < questions; i++)
        {
            if (!DnsName.TrySkip(message, ref offset))
            {
                return false;
            }

            offset += 4;
        }

        var bounded = false;
        for (var i = 0; i < answers + authorities + additionals; i++)
        {
            if (!DnsName.TrySkip(message, ref offset) || offset + 10 > message.Length)
            {
                return false;
            }

            var type = (DnsType)BinaryPrimitives.ReadUInt16BigEndian(message[offset..]);
            var ttlField = message.Slice(offset + 4, 4);
            var rdLength = BinaryPrimitives.ReadUInt16BigEndian(message[(offset + 8)..]);
            var rdata = offset + 10;
            offset = rdata + rdLength;
            if (offset > message.Length)
            {
                return false;
            }

            if (type == DnsType.OPT)
            {
                continue;
            }

            var ttl = BinaryPrimitives.ReadUInt32BigEndian(ttlField);
            var aged = ttl > elapsed ? ttl - elapsed : 0;
            BinaryPrimitives.WriteUInt32BigEndian(ttlField, aged);
            if (i >= answers + authorities)
            {
                continue;
            }

            var bound = ttl;
            if (type == DnsType.SOA && answers == 0 && rdLength >= 22)
            {
                bound = Math.Min(ttl, BinaryPrimitives.ReadUInt32BigEndian(message.Slice(offset - 4, 4)));
            }
            else if (answers == 0)
            {
                continue;
            }

            cacheTtl = Math.Min(cacheTtl, bound);
            bounded = true;
        }

        return bounded;
    }
}
