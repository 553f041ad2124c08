using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Routing.Agent.Dns.Wire;

/// <summary>
/// Builds a <see cref="RecordSet"/> (RFC 1035 §4.1.3):
/// <code>
/// | NAME | TYPE (16) | CLASS (16) | TTL (32) | RDLENGTH (16) | RDATA |
/// </code>
/// An owner of null means the question's name (a compression pointer to offset 12).
/// </summary>
public sealed class RecordWriter
{
    private readonly ArrayBufferWriter<byte> buffer = new(64);
    private int count;

    public bool IsEmpty => count == 0;

    public void Address(string? owner, uint ttl, IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        var v4 = address.AddressFamily == AddressFamily.InterNetwork;
        Span<byte> data = stackalloc byte[16];
        address.TryWriteBytes(data, out var written);
        Record(owner, v4 ? DnsType.A : DnsType.AAAA, ttl, data[..written]);
    }

    public void Name(string? owner, DnsType type, uint ttl, string target)
    {
        var rdata = new ArrayBufferWriter<byte>(DnsName.WireLength(target));
        DnsName.Write(rdata, target);
        Record(owner, type, ttl, rdata.WrittenSpan);
    }

    /// <summary>SRV (RFC 2782): priority, weight, port, and the target, never compressed.</summary>
    public void Service(string? owner, uint ttl, ushort priority, ushort weight, ushort port, string target)
    {
        var rdata = new ArrayBufferWriter<byte>(6 + DnsName.WireLength(target));
        var head = rdata.GetSpan(6);
        BinaryPrimitives.WriteUInt16BigEndian(head, priority);
        BinaryPrimitives.WriteUInt16BigEndian(head[2..], weight);
        BinaryPrimitives.WriteUInt16BigEndian(head[4..], port);
        rdata.Advance(6);
        DnsName.Write(rdata, target);
        Record(owner, DnsType.SRV, ttl, rdata.WrittenSpan);
    }

    /// <summary>SOA (RFC 1035 §3.3.13); <paramref name="minimum"/> is the negative-caching TTL (RFC 2308 §4).</summary>
    public void StartOfAuthority(string? owner, uint ttl, string primary, string mailbox, uint serial, uint refresh, uint retry, uint expire, uint minimum)
    {
        var rdata = new ArrayBufferWriter<byte>(64);
        DnsName.Write(rdata, primary);
        DnsName.Write(rdata, mailbox);
        var tail = rdata.GetSpan(20);
        BinaryPrimitives.WriteUInt32BigEndian(tail, serial);
        BinaryPrimitives.WriteUInt32BigEndian(tail[4..], refresh);
        BinaryPrimitives.WriteUInt32BigEndian(tail[8..], retry);
        BinaryPrimitives.WriteUInt32BigEndian(tail[12..], expire);
        BinaryPrimitives.WriteUInt32BigEndian(tail[16..], minimum);
        rdata.Advance(20);
        Record(owner, DnsType.SOA, ttl, rdata.WrittenSpan);
    }

    public void Record(string? owner, DnsType type, uint ttl, ReadOnlySpan<byte> rdata)
    {
        if (owner is null)
        {
            BinaryPrimitives.WriteUInt16BigEndian(buffer.GetSpan(2), DnsName.PointerToQuestion);
            buffer.Advance(2);
        }
        else
        {
            DnsName.Write(buffer, owner);
        }

        var fixedPart = buffer.GetSpan(10);
        BinaryPrimitives.WriteUInt16BigEndian(fixedPart, (ushort)type);
        BinaryPrimitives.WriteUInt16BigEndian(fixedPart[2..], DnsClass.Internet);
        BinaryPrimitives.WriteUInt32BigEndian(fixedPart[4..], ttl);
        BinaryPrimitives.WriteUInt16BigEndian(fixedPart[8..], (ushort)rdata.Length);
        buffer.Advance(10);
        buffer.Write(rdata);
        count++;
    }

    public RecordSet? ToRecordSet() => count == 0 ? null : new RecordSet(buffer.WrittenSpan.ToArray(), count);
}
