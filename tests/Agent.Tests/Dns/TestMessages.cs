using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Text;
using Routing.Agent.Dns.Server;
using Routing.Agent.Dns.Wire;

namespace Routing.Agent.Tests.Dns;

/// <summary>A decoded record: section ("answer", "authority", "additional"), owner, type, TTL and data in presentation form.</summary>
internal sealed record TestRecord(string Section, string Name, DnsType Type, uint Ttl, string Data);

/// <summary>A decoded response, for assertions.</summary>
internal sealed record TestResponse(ushort Id, ushort Flags, DnsResponseCode Code, string Question, IReadOnlyList<TestRecord> Records)
{
    public bool Truncated => (Flags & DnsHeader.TC) != 0;

    public bool Authoritative => (Flags & DnsHeader.AA) != 0;

    public IEnumerable<TestRecord> Answers => Records.Where(r => r.Section == "answer");

    public IEnumerable<TestRecord> Authority => Records.Where(r => r.Section == "authority");

    public IEnumerable<TestRecord> Additional => Records.Where(r => r.Section == "additional");

    public string[] AnswerData(DnsType type) => Answers.Where(r => r.Type == type).Select(r => r.Data).Order(StringComparer.Ordinal).ToArray();
}

/// <summary>Writes queries and reads responses independently of the server's codec (test side).</summary>
internal static class TestMessages
{
    public static byte[] Query(string name, DnsType type, ushort id = 0x1234, ushort? ednsPayload = null, byte ednsVersion = 0, ushort flags = DnsHeader.RD, int questions = 1)
    {
        var bytes = new List<byte> { (byte)(id >> 8), (byte)id, (byte)(flags >> 8), (byte)flags, 0, (byte)questions, 0, 0, 0, 0, 0, (byte)(ednsPayload is null ? 0 : 1) };
        foreach (var label in name.TrimEnd('.').Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            bytes.Add((byte)label.Length);
            bytes.AddRange(Encoding.ASCII.GetBytes(label));
        }

        bytes.Add(0);
        bytes.AddRange([(byte)((ushort)type >> 8), (byte)type, 0, 1]);
        if (ednsPayload is { } payload)
        {
            bytes.AddRange([0, 0, 41, (byte)(payload >> 8), (byte)payload, 0, ednsVersion, 0, 0, 0, 0]);
        }

        return [.. bytes];
    }

    /// <summary>Answers <paramref name="query"/> with the responder; null when it must be forwarded or dropped.</summary>
    public static TestResponse? Ask(DnsResponder responder, byte[] query, int? limit = null)
    {
        var response = new byte[DnsResponse.MaxTcpLength];
        var name = new char[DnsName.MaxTextLength + 2];
        var action = responder.Respond(query, response, name, limit, out var length, out _, out _);
        return action == ResponderAction.Reply ? Parse(response.AsSpan(0, length)) : null;
    }

    public static TestResponse Parse(ReadOnlySpan<byte> message)
    {
        var id = BinaryPrimitives.ReadUInt16BigEndian(message);
        var flags = BinaryPrimitives.ReadUInt16BigEndian(message[2..]);
        var counts = new int[4];
        for (var i = 0; i < 4; i++)
        {
            counts[i] = BinaryPrimitives.ReadUInt16BigEndian(message[(4 + 2 * i)..]);
        }

        var offset = 12;
        var question = "";
        for (var i = 0; i < counts[0]; i++)
        {
            question = ReadName(message, ref offset);
            offset += 4;
        }

        var records = new List<TestRecord>();
        var code = flags & 0xF;
        string[] sections = ["answer", "authority", "additional"];
        for (var s = 0; s < 3; s++)
        {
            for (var i = 0; i < counts[s + 1]; i++)
            {
                var owner = ReadName(message, ref offset);
                var type = (DnsType)BinaryPrimitives.ReadUInt16BigEndian(message[offset..]);
                var @class = BinaryPrimitives.ReadUInt16BigEndian(message[(offset + 2)..]);
                var ttl = BinaryPrimitives.ReadUInt32BigEndian(message[(offset + 4)..]);
                var length = BinaryPrimitives.ReadUInt16BigEndian(message[(offset + 8)..]);
                var rdata = offset + 10;
                offset = rdata + length;
                if (type == DnsType.OPT)
                {
                    code |= (int)(ttl >> 24) << 4;
                    records.Add(new TestRecord(sections[s], owner, type, ttl, @class.ToString(CultureInfo.InvariantCulture)));
                    continue;
                }

                records.Add(new TestRecord(sections[s], owner, type, ttl, Data(message, type, rdata, length)));
            }
        }

        return new TestResponse(id, flags, (DnsResponseCode)code, question, records);
    }

    private static string Data(ReadOnlySpan<byte> message, DnsType type, int offset, int length)
    {
        switch (type)
        {
            case DnsType.A or DnsType.AAAA:
                return new IPAddress(message.Slice(offset, length)).ToString();
            case DnsType.CNAME or DnsType.PTR or DnsType.NS:
                return ReadName(message, ref offset);
            case DnsType.SRV:
                var priority = BinaryPrimitives.ReadUInt16BigEndian(message[offset..]);
                var weight = BinaryPrimitives.ReadUInt16BigEndian(message[(offset + 2)..]);
                var port = BinaryPrimitives.ReadUInt16BigEndian(message[(offset + 4)..]);
                offset += 6;
                return $"{priority} {weight} {port} {ReadName(message, ref offset)}";
            case DnsType.SOA:
                var primary = ReadName(message, ref offset);
                var mailbox = ReadName(message, ref offset);
                var minimum = BinaryPrimitives.ReadUInt32BigEndian(message[(offset + 16)..]);
                return $"{primary} {mailbox} {minimum}";
            default:
                return Convert.ToHexString(message.Slice(offset, length));
        }
    }

    private static string ReadName(ReadOnlySpan<byte> message, ref int offset)
    {
        var labels = new List<string>();
        var position = offset;
        var jumped = false;
        while (true)
        {
            var length = message[position];
            if ((length & 0xC0) == 0xC0)
            {
                if (!jumped)
                {
                    offset = position + 2;
                }

                jumped = true;
                position = ((length & 0x3F) << 8) | message[position + 1];
                continue;
            }

            if (length == 0)
            {
                if (!jumped)
                {
                    offset = position + 1;
                }

                return string.Join('.', labels);
            }

            labels.Add(Encoding.ASCII.GetString(message.Slice(position + 1, length)));
            position += 1 + length;
        }
    }
}
