using System.Buffers.Binary;

namespace Routing.Agent.Dns.Wire;

/// <summary>
/// Writes responses: the query's id and question echoed, the sections from ready-made
/// <see cref="RecordSet"/>s, an OPT record when the query had one (RFC 6891 §7), and truncation
/// (TC, RFC 2181 §9) when the answer does not fit the requestor's limit.
/// </summary>
public static class DnsResponse
{
    /// <summary>The UDP payload size this server advertises (the DNS flag day 2020 figure: no fragmentation).</summary>
    public const ushort AdvertisedUdpPayloadSize = 1232;

    /// <summary>The largest UDP response sent, whatever a requestor advertises.</summary>
    public const int MaxUdpLength = 4096;

    /// <summary>The largest message over TCP (RFC 1035 §4.2.2: a 16-bit length).</summary>
    public const int MaxTcpLength = ushort.MaxValue;

    private const int OptLength = 11;

    /// <summary>How large a UDP response to this query may be: 512 without EDNS (RFC 1035 §4.2.1), else the requestor's size (at least 512, RFC 6891 §6.2.5).</summary>
    public static int UdpLimit(in DnsQuery query) =>
        query.HasEdns ? Math.Clamp((int)query.UdpPayloadSize, 512, MaxUdpLength) : 512;

    /// <summary>
    /// Writes the response into <paramref name="destination"/> (at least <paramref name="limit"/> long)
    /// and returns its length. If the answer and authority sections do not fit, they are left out and
    /// TC is set; the additional section alone is dropped without TC (RFC 2181 §9).
    /// </summary>
    public static int Write(
        Span<byte> destination,
        ReadOnlySpan<byte> query,
        in DnsQuery question,
        DnsResponseCode code,
        bool authoritative,
        RecordSet? answer,
        RecordSet? authority,
        RecordSet? additional,
        int limit)
    {
        var questionLength = question.QuestionEnd - DnsHeader.Length;
        var fixedLength = DnsHeader.Length + questionLength + (question.HasEdns ? OptLength : 0);
        var answerLength = answer?.Length ?? 0;
        var authorityLength = authority?.Length ?? 0;
        var additionalLength = additional?.Length ?? 0;
        var flags = (ushort)(DnsHeader.QR | (question.Flags & (DnsHeader.RD | DnsHeader.CD)) | DnsHeader.RA | ((int)code & 0xF));
        if (authoritative)
        {
            flags |= DnsHeader.AA;
        }

        if (fixedLength + answerLength + authorityLength > limit)
        {
            flags |= DnsHeader.TC;
            answer = authority = additional = null;
        }
        else if (fixedLength + answerLength + authorityLength + additionalLength > limit)
        {
            additional = null;
        }

        query[DnsHeader.Length..question.QuestionEnd].CopyTo(destination[DnsHeader.Length..]);
        var position = question.QuestionEnd;
        position += Copy(answer, destination[position..]);
        position += Copy(authority, destination[position..]);
        position += Copy(additional, destination[position..]);
        if (question.HasEdns)
        {
            position += WriteOpt(destination[position..], code, question.DnssecOk);
        }

        DnsHeader.Write(
            destination,
            question.Id,
            flags,
            questions: 1,
            answers: answer?.Count ?? 0,
            authorities: authority?.Count ?? 0,
            additionals: (additional?.Count ?? 0) + (question.HasEdns ? 1 : 0));
        return position;
    }

    /// <summary>A response with only an RCODE: the question is echoed when it could be read.</summary>
    public static int WriteError(Span<byte> destination, ReadOnlySpan<byte> query, in DnsQuery question, DnsResponseCode code)
    {
        var hasQuestion = question.QuestionEnd > DnsHeader.Length;
        if (hasQuestion)
        {
            return Write(destination, query, question, code, authoritative: false, null, null, null, MaxTcpLength);
        }

        var flags = (ushort)(DnsHeader.QR | (question.Flags & (0x7800 | DnsHeader.RD)) | DnsHeader.RA | ((int)code & 0xF));
        DnsHeader.Write(destination, question.Id, flags, 0, 0, 0, 0);
        return DnsHeader.Length;
    }

    private static int Copy(RecordSet? set, Span<byte> destination)
    {
        if (set is null)
        {
            return 0;
        }

        set.Bytes.CopyTo(destination);
        return set.Length;
    }

    // RFC 6891 §6.1.2-6.1.3: root owner, TYPE 41, CLASS = our payload size, TTL = extended RCODE,
    // version 0, DO echoed (RFC 3225 §3), no options.
    private static int WriteOpt(Span<byte> destination, DnsResponseCode code, bool dnssecOk)
    {
        destination[0] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(destination[1..], (ushort)DnsType.OPT);
        BinaryPrimitives.WriteUInt16BigEndian(destination[3..], AdvertisedUdpPayloadSize);
        var ttl = ((uint)code >> 4) << 24;
        if (dnssecOk)
        {
            ttl |= 0x8000;
        }

        BinaryPrimitives.WriteUInt32BigEndian(destination[5..], ttl);
        BinaryPrimitives.WriteUInt16BigEndian(destination[9..], 0);
        return OptLength;
    }
}
