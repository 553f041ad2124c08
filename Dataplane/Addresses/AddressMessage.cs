using System.Buffers.Binary;
using Routing.Dataplane.Netlink;

namespace Routing.Dataplane.Addresses;

/// <summary>
/// RTM_NEWADDR / RTM_DELADDR / RTM_GETADDR bodies.
/// <code>
/// struct ifaddrmsg {               // linux/if_addr.h
///     __u8  ifa_family;
///     __u8  ifa_prefixlen;
///     __u8  ifa_flags;             // IFA_F_* that fit 8 bits; IFA_FLAGS carries all 32
///     __u8  ifa_scope;
///     __u32 ifa_index;
/// };                               // then IFA_* attributes
/// </code>
/// IPv4 sends IFA_LOCAL (the interface's address) and IFA_ADDRESS (the peer's on point-to-point
/// links, else the same); iproute2 sends both for IPv6 too.
/// </summary>
public static class AddressMessage
{
    public const int HeaderLength = 8;
    public const ushort Address = 1; // IFA_ADDRESS
    public const ushort Local = 2;   // IFA_LOCAL
    public const ushort Label = 3;   // IFA_LABEL
    public const ushort Flags = 8;   // IFA_FLAGS

    public static void WriteBody(NetlinkMessageBuilder builder, InterfaceAddress address)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(address);
        var header = builder.AppendHeader(HeaderLength);
        header[0] = address.IsIPv6 ? (byte)10 : (byte)2;
        header[1] = (byte)address.PrefixLength;
        header[2] = (byte)address.Flags;
        header[3] = address.Scope;
        BinaryPrimitives.WriteInt32LittleEndian(header[4..], address.InterfaceIndex);
        builder.PutAddress(Local, address.Address);
        builder.PutAddress(Address, address.Address);
        if (address.Flags > 0xFF)
        {
            builder.PutUInt32(Flags, address.Flags);
        }

        if (address.Label is not null)
        {
            builder.PutString(Label, address.Label);
        }
    }

    public static void WriteDumpRequest(NetlinkMessageBuilder builder, byte family)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AppendHeader(HeaderLength)[0] = family;
    }

    public static InterfaceAddress Read(ReadOnlySpan<byte> payload)
    {
        if (payload.Length < HeaderLength)
        {
            throw new NetlinkProtocolException($"an ifaddrmsg of {payload.Length} bytes");
        }

        var prefixLength = payload[1];
        uint flags = payload[2];
        var scope = payload[3];
        var index = BinaryPrimitives.ReadInt32LittleEndian(payload[4..]);
        System.Net.IPAddress? local = null, address = null;
        string? label = null;
        var attributes = new NetlinkAttributeReader(payload[HeaderLength..]);
        while (attributes.TryRead(out var type, out var value))
        {
            switch (type)
            {
                case Local:
                    local = NetlinkAttributeReader.ReadAddress(value);
                    break;
                case Address:
                    address = NetlinkAttributeReader.ReadAddress(value);
                    break;
                case Label:
                    label = NetlinkAttributeReader.ReadString(value);
                    break;
                case Flags:
                    flags = NetlinkAttributeReader.ReadUInt32(value);
                    break;
            }
        }

        var own = local ?? address ?? throw new NetlinkProtocolException("an address message without IFA_LOCAL or IFA_ADDRESS");
        return new InterfaceAddress(index, own, prefixLength) { Scope = scope, Flags = flags, Label = label };
    }
}
