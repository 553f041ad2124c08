using System.Buffers.Binary;
using System.Net;
using System.Net.NetworkInformation;
using Routing.Dataplane.Netlink;

namespace Routing.Dataplane.Neighbours;

/// <summary>
/// RTM_NEWNEIGH / RTM_DELNEIGH / RTM_GETNEIGH bodies.
/// <code>
/// struct ndmsg {                   // linux/neighbour.h
///     __u8  ndm_family;            // AF_INET, AF_INET6, AF_BRIDGE (FDB)
///     __u8  ndm_pad1;
///     __u16 ndm_pad2;
///     __s32 ndm_ifindex;
///     __u16 ndm_state;             // NUD_*
///     __u8  ndm_flags;             // NTF_*
///     __u8  ndm_type;
/// };                               // then NDA_DST (IP; the remote VTEP for VXLAN FDB), NDA_LLADDR (MAC)
/// </code>
/// </summary>
public static class NeighbourMessage
{
    public const int HeaderLength = 12;
    public const ushort Destination = 1; // NDA_DST
    public const ushort LinkAddress = 2; // NDA_LLADDR

    public static void WriteBody(NetlinkMessageBuilder builder, Neighbour neighbour)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(neighbour);
        var header = builder.AppendHeader(HeaderLength);
        header[0] = neighbour.IsForwardingEntry ? (byte)7
            : neighbour.Destination?.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? (byte)10 : (byte)2;
        BinaryPrimitives.WriteInt32LittleEndian(header[4..], neighbour.InterfaceIndex);
        BinaryPrimitives.WriteUInt16LittleEndian(header[8..], neighbour.State);
        header[10] = neighbour.Flags;

        // bridge(8) writes the MAC first, ip-neighbour(8) the address first; each order as its tool, to compare bytes.
        if (neighbour.IsForwardingEntry)
        {
            PutLinkAddress(builder, neighbour.LinkAddress);
            PutDestination(builder, neighbour.Destination);
        }
        else
        {
            PutDestination(builder, neighbour.Destination);
            PutLinkAddress(builder, neighbour.LinkAddress);
        }
    }

    public static void WriteDumpRequest(NetlinkMessageBuilder builder, byte family)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AppendHeader(HeaderLength)[0] = family;
    }

    /// <summary>Reads an RTM_NEWNEIGH; false for families other than IPv4, IPv6 and bridge.</summary>
    public static bool TryRead(ReadOnlySpan<byte> payload, out Neighbour neighbour)
    {
        neighbour = null!;
        if (payload.Length < HeaderLength)
        {
            throw new NetlinkProtocolException($"an ndmsg of {payload.Length} bytes");
        }

        var family = payload[0];
        if (family is not (2 or 7 or 10))
        {
            return false;
        }

        IPAddress? destination = null;
        PhysicalAddress? link = null;
        var attributes = new NetlinkAttributeReader(payload[HeaderLength..]);
        while (attributes.TryRead(out var type, out var value))
        {
            if (type == Destination)
            {
                destination = NetlinkAttributeReader.ReadAddress(value);
            }
            else if (type == LinkAddress)
            {
                link = new PhysicalAddress(value.ToArray());
            }
        }

        neighbour = new Neighbour(BinaryPrimitives.ReadInt32LittleEndian(payload[4..]), destination, link)
        {
            IsForwardingEntry = family == 7,
            State = BinaryPrimitives.ReadUInt16LittleEndian(payload[8..]),
            Flags = payload[10],
        };
        return true;
    }

    private static void PutDestination(NetlinkMessageBuilder builder, IPAddress? destination)
    {
        if (destination is not null)
        {
            builder.PutAddress(Destination, destination);
        }
    }

    private static void PutLinkAddress(NetlinkMessageBuilder builder, PhysicalAddress? address)
    {
        if (address is not null)
        {
            builder.PutAttribute(LinkAddress, address.GetAddressBytes());
        }
    }
}
