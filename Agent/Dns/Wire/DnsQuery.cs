using System.Buffers.Binary;

namespace Routing.Agent.Dns.Wire;

/// <summary>What a query asks, read by <see cref="DnsQuery.TryRead"/>: the header's id and flags, its one question, and its EDNS0 OPT record if any.</summary>
public readonly struct DnsQuery
{
    public ushort Id { get; init; }

    public ushort Flags { get; init; }

    public DnsType Type { get; init; }

    public ushort Class { get; init; }

    /// <summary>Offset just past the question (name, type, class): the question is bytes 12 to this.</summary>
    public int QuestionEnd { get; init; }

    /// <summary>Characters of the lower-case name written into the caller's buffer.</summary>
    public int NameLength { get; init; }

    /// <summary>False when the name has a label no zone name can have ('.' or non-printable octets).</summary>
    public bool NameIsPlain { get; init; }

    public bool HasEdns { get; init; }

    /// <summary>The requestor's UDP payload size (RFC 6891 §6.2.3), when <see cref="HasEdns"/>.</summary>
    public ushort UdpPayloadSize { get; init; }

    public byte EdnsVersion { get; init; }

    public bool DnssecOk { get; init; }

    public bool RecursionDesired => (Flags & DnsHeader.RD) != 0;

    /// <summary>
    /// Reads a query. <see cref="DnsQueryStatus.Ignore"/> for what must get no answer (shorter than a
    /// header, or a response); <see cref="DnsQueryStatus.FormatError"/> and
    /// <see cref="DnsQueryStatus.NotImplemented"/> when the answer is that RCODE (Id and Flags are set).
    /// </summary>
    public static DnsQueryStatus TryRead(ReadOnlySpan<byte> message, Span<char> name, out DnsQuery query)
    {
        query = default;
        if (message.Length < DnsHeader.Length)
        {
            return DnsQueryStatus.Ignore;
        }

        var id = DnsHeader.Id(message);
        var flags = DnsHeader.Flags(message);
        query = new DnsQuery { Id = id, Flags = flags, QuestionEnd = DnsHeader.Length };
        if ((flags & DnsHeader.QR) != 0)
        {
            return DnsQueryStatus.Ignore;
        }

        if (DnsHeader.Opcode(flags) != 0)
        {
            return DnsQueryStatus.NotImplemented;
        }

        var questions = BinaryPrimitives.ReadUInt16BigEndian(message[4..]);
        var answers = BinaryPrimitives.ReadUInt16BigEndian(message[6..]);
        var authorities = BinaryPrimitives.ReadUInt16BigEndian(message[8..]);
        var additionals = BinaryPrimitives.ReadUInt16BigEndian(message[10..]);
        if (questions != 1)
        {
            return DnsQueryStatus.FormatError;
        }

        var offset = DnsHeader.Length;
        if (!DnsName.TryRead(message, ref offset, name, out var nameLength, out var plain) || offset + 4 > message.Length)
        {
            return DnsQueryStatus.FormatError;
        }

        var type = (DnsType)BinaryPrimitives.ReadUInt16BigEndian(message[offset..]);
        var @class = BinaryPrimitives.ReadUInt16BigEndian(message[(offset + 2)..]);
        offset += 4;
        query = query with { Type = type, Class = @class, QuestionEnd = offset, NameLength = nameLength, NameIsPlain = plain };

        // Answer and authority sections are unusual in a query; skipped. The additional section may
        // hold one OPT pseudo-record (RFC 6891 §6.1.1); a second one is a FORMERR.
        var hasEdns = false;
        for (var i = 0; i < answers + authorities + additionals; i++)
        {
            if (!DnsName.TrySkip(message, ref offset) || offset + 10 > message.Length)
            {
                return DnsQueryStatus.FormatError;
            }

            var rrType = (DnsType)BinaryPrimitives.ReadUInt16BigEndian(message[offset..]);
            var rrClass = BinaryPrimitives.ReadUInt16BigEndian(message[(offset + 2)..]);
            var ttl = BinaryPrimitives.ReadUInt32BigEndian(message[(offset + 4)..]);
            var rdLength = BinaryPrimitives.ReadUInt16BigEndian(message[(offset + 8)..]);
            offset += 10 + rdLength;
            if (offset > message.Length)
            {
                return DnsQueryStatus.FormatError;
            }

            if (rrType == DnsType.OPT && i >= answers + authorities)
            {
                if (hasEdns)
                {
                    return DnsQueryStatus.FormatError;
                }

                hasEdns = true;
                query = query with
                {
                    HasEdns = true,
                    UdpPayloadSize = rrClass,
                    EdnsVersion = (byte)(ttl >> 16),
                    DnssecOk = (ttl & 0x8000) != 0,
                };
            }
        }

        return DnsQueryStatus.Ok;
    }
}

public enum DnsQueryStatus
{
    Ok,
    Ignore,
    FormatError,
    NotImplemented,
}
