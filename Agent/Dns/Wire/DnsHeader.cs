using System.Buffers.Binary;

namespace Routing.Agent.Dns.Wire;

/// <summary>
/// The 12-octet message header (RFC 1035 §4.1.1):
/// <code>
///   0  1  2  3  4  5  6  7  8  9 10 11 12 13 14 15
/// |                      ID                       |
/// |QR|   Opcode  |AA|TC|RD|RA|   Z    |   RCODE   |
/// |                    QDCOUNT                    |
/// |                    ANCOUNT                    |
/// |                    NSCOUNT                    |
/// |                    ARCOUNT                    |
/// </code>
/// </summary>
public static class DnsHeader
{
    public const int Length = 12;
    public const ushort QR = 0x8000;
    public const ushort AA = 0x0400;
    public const ushort TC = 0x0200;
    public const ushort RD = 0x0100;
    public const ushort RA = 0x0080;
    public const ushort CD = 0x0010;

    public static ushort Id(ReadOnlySpan<byte> message) => BinaryPrimitives.ReadUInt16BigEndian(message);

    public static ushort Flags(ReadOnlySpan<byte> message) => BinaryPrimitives.ReadUInt16BigEndian(message[2..]);

    public static int Opcode(ushort flags) => (flags >> 11) & 0xF;

    public static void Write(Span<byte> destination, ushort id, ushort flags, int questions, int answers, int authorities, int additionals)
    {
        BinaryPrimitives.WriteUInt16BigEndian(destination, id);
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], flags);
        BinaryPrimitives.WriteUInt16BigEndian(destination[4..], (ushort)questions);
        BinaryPrimitives.WriteUInt16BigEndian(destination[6..], (ushort)answers);
        BinaryPrimitives.WriteUInt16BigEndian(destination[8..], (ushort)authorities);
        BinaryPrimitives.WriteUInt16BigEndian(destination[10..], (ushort)additionals);
    }

    public static void SetId(Span<byte> message, ushort id) => BinaryPrimitives.WriteUInt16BigEndian(message, id);
}
