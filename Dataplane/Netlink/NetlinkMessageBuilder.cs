using System.Buffers.Binary;
using System.Net;
using System.Text;

namespace Routing.Dataplane.Netlink;

/// <summary>
/// Writes netlink messages back to back into one growing buffer, ready to hand to a single
/// sendmsg: a header, the family's fixed header (rtmsg, ifinfomsg, …), then attributes, nested
/// ones included. Lengths are patched when a message or a nest ends.
/// </summary>
public sealed class NetlinkMessageBuilder
{
    private byte[] buffer;
    private int length;
    private int messageStart = -1;
    private int lastMessageStart = -1;

    public NetlinkMessageBuilder(int capacity = 4096) => buffer = new byte[Math.Max(capacity, 64)];

    /// <summary>The messages written so far.</summary>
    public ReadOnlySpan<byte> Written => buffer.AsSpan(0, length);

    public int Length => length;

    public int MessageCount { get; private set; }

    public void Clear()
    {
        length = 0;
        messageStart = -1;
        lastMessageStart = -1;
        MessageCount = 0;
    }

    public void BeginMessage(NetlinkMessageType type, NetlinkMessageFlags flags, uint sequence)
    {
        if (messageStart >= 0)
        {
            throw new InvalidOperationException("the previous netlink message was not ended");
        }

        messageStart = length;
        NetlinkMessage.WriteHeader(Reserve(NetlinkMessage.HeaderLength), 0, type, flags, sequence);
    }

    /// <summary>Room for the family's fixed header, zeroed; fill it in place.</summary>
    public Span<byte> AppendHeader(int size) => Reserve(size);

    public void EndMessage()
    {
        if (messageStart < 0)
        {
            throw new InvalidOperationException("no netlink message was begun");
        }

        BinaryPrimitives.WriteUInt32LittleEndian(buffer.AsSpan(messageStart), (uint)(length - messageStart));
        lastMessageStart = messageStart;
        messageStart = -1;
        MessageCount++;
    }

    /// <summary>Adds flags to the last message ended (NLM_F_ACK on a batch's last request).</summary>
    public void AddFlagsToLastMessage(NetlinkMessageFlags flags)
    {
        if (lastMessageStart < 0)
        {
            throw new InvalidOperationException("no netlink message was ended");
        }

        var at = buffer.AsSpan(lastMessageStart + 6);
        BinaryPrimitives.WriteUInt16LittleEndian(at, (ushort)(BinaryPrimitives.ReadUInt16LittleEndian(at) | (ushort)flags));
    }

    public void PutAttribute(ushort type, ReadOnlySpan<byte> value)
    {
        var span = Reserve(NetlinkAttributeReader.HeaderLength + value.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(span, (ushort)(NetlinkAttributeReader.HeaderLength + value.Length));
        BinaryPrimitives.WriteUInt16LittleEndian(span[2..], type);
        value.CopyTo(span[NetlinkAttributeReader.HeaderLength..]);
    }

    public void PutUInt8(ushort type, byte value) => PutAttribute(type, [value]);

    public void PutUInt16(ushort type, ushort value)
    {
        Span<byte> bytes = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(bytes, value);
        PutAttribute(type, bytes);
    }

    /// <summary>A 16-bit value in network byte order (IFLA_VXLAN_PORT).</summary>
    public void PutUInt16BigEndian(ushort type, ushort value)
    {
        Span<byte> bytes = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(bytes, value);
        PutAttribute(type, bytes);
    }

    public void PutUInt32(ushort type, uint value)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, value);
        PutAttribute(type, bytes);
    }

    public void PutInt32(ushort type, int value) => PutUInt32(type, unchecked((uint)value));

    /// <summary>
    /// A string, NUL-terminated unless <paramref name="terminate"/> is false (iproute2 sends
    /// IFLA_INFO_KIND without the NUL; the kernel reads both).
    /// </summary>
    public void PutString(ushort type, string value, bool terminate = true)
    {
        ArgumentNullException.ThrowIfNull(value);
        var count = Encoding.UTF8.GetByteCount(value);
        var total = terminate ? count + 1 : count;
        Span<byte> bytes = total <= 256 ? stackalloc byte[total] : new byte[total];
        Encoding.UTF8.GetBytes(value, bytes);
        if (terminate)
        {
            bytes[count] = 0;
        }

        PutAttribute(type, bytes);
    }

    /// <summary>The address's 4 or 16 bytes, network order.</summary>
    public void PutAddress(ushort type, IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        Span<byte> bytes = stackalloc byte[16];
        if (!address.TryWriteBytes(bytes, out var written))
        {
            throw new ArgumentException($"cannot encode address {address}", nameof(address));
        }

        PutAttribute(type, bytes[..written]);
    }

    /// <summary>Opens a nested attribute; close it with <see cref="EndNested"/> and the value returned.</summary>
    public int BeginNested(ushort type)
    {
        var start = length;
        var span = Reserve(NetlinkAttributeReader.HeaderLength);
        BinaryPrimitives.WriteUInt16LittleEndian(span[2..], type);
        return start;
    }

    public void EndNested(int start) =>
        BinaryPrimitives.WriteUInt16LittleEndian(buffer.AsSpan(start), (ushort)(length - start));

    /// <summary>Raw room inside the message (an rtnexthop), zeroed and aligned; returns its offset for <see cref="Patch"/>.</summary>
    public int AppendRaw(int size, out Span<byte> room)
    {
        var start = length;
        room = Reserve(size);
        return start;
    }

    /// <summary>Writable view of bytes already written (to patch a length after its contents).</summary>
    public Span<byte> Patch(int offset, int size) => buffer.AsSpan(offset, size);

    /// <summary>Bytes written since <paramref name="offset"/>.</summary>
    public int LengthSince(int offset) => length - offset;

    private Span<byte> Reserve(int size)
    {
        var aligned = NetlinkMessage.Align(size);
        if (length + aligned > buffer.Length)
        {
            Array.Resize(ref buffer, Math.Max(buffer.Length * 2, length + aligned));
        }

        var span = buffer.AsSpan(length, aligned);
        span.Clear();
        length += aligned;
        return span[..size];
    }
}
