using System.Buffers.Binary;
using System.Net.Sockets;
using Routing.Dataplane.Netlink;

namespace Routing.Dataplane.Nexthops;

/// <summary>
/// RTM_NEWNEXTHOP / RTM_DELNEXTHOP bodies (linux/nexthop.h): struct nhmsg (family, scope,
/// protocol, reserved, flags) and NHA_* attributes. Only single gateway nexthops are written or read;
/// groups, blackholes and FDB nexthops are someone else's and read as nothing.
/// </summary>
public static class NexthopMessage
{
    public const int HeaderLength = 8;

    public const ushort Id = 1;        // NHA_ID
    public const ushort Group = 2;     // NHA_GROUP
    public const ushort Blackhole = 4; // NHA_BLACKHOLE
    public const ushort Device = 5;    // NHA_OIF
    public const ushort Gateway = 6;   // NHA_GATEWAY
    public const ushort Fdb = 11;      // NHA_FDB

    private const uint FlagOnLink = 4; // RTNH_F_ONLINK

    /// <summary>The body of an RTM_NEWNEXTHOP for <paramref name="nexthop"/>.</summary>
    public static void Write(NetlinkMessageBuilder builder, Nexthop nexthop)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(nexthop);
        var header = builder.AppendHeader(HeaderLength);
        header[0] = Family(nexthop.Gateway.AddressFamily);

        // nh_scope stays 0: the kernel refuses any other ("Invalid values in ancillary header").
        header[2] = nexthop.Protocol;
        BinaryPrimitives.WriteUInt32LittleEndian(header[4..], nexthop.OnLink ? FlagOnLink : 0);
        builder.PutUInt32(Id, nexthop.Id);
        builder.PutInt32(Device, nexthop.InterfaceIndex);
        builder.PutAddress(Gateway, nexthop.Gateway);
    }

    /// <summary>The body of an RTM_DELNEXTHOP for <paramref name="id"/>.</summary>
    public static void WriteDelete(NetlinkMessageBuilder builder, uint id)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AppendHeader(HeaderLength);
        builder.PutUInt32(Id, id);
    }

    /// <summary>A dump request for every nexthop (the kernel's filters are few; callers filter).</summary>
    public static void WriteDumpRequest(NetlinkMessageBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AppendHeader(HeaderLength);
    }

    /// <summary>
    /// Reads a single gateway nexthop; false for groups, blackholes, FDB and device-only nexthops.
    /// <paramref name="id"/> is set whatever the kind (0 if absent), so callers can tell which ids are taken.
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> payload, out Nexthop nexthop, out uint id)
    {
        nexthop = null!;
        id = 0;
        if (payload.Length < HeaderLength)
        {
            throw new NetlinkProtocolException($"an nhmsg of {payload.Length} bytes");
        }

        var protocol = payload[2];
        var flags = BinaryPrimitives.ReadUInt32LittleEndian(payload[4..]);
        System.Net.IPAddress? gateway = null;
        var device = 0;
        var other = false;
        var attributes = new NetlinkAttributeReader(payload[HeaderLength..]);
        while (attributes.TryRead(out var kind, out var value))
        {
            switch (kind)
            {
                case Id:
                    id = NetlinkAttributeReader.ReadUInt32(value);
                    break;
                case Device:
                    device = (int)NetlinkAttributeReader.ReadUInt32(value);
                    break;
                case Gateway:
                    gateway = NetlinkAttributeReader.ReadAddress(value);
                    break;
                case Group or Blackhole or Fdb:
                    other = true;
                    break;
            }
        }

        if (other || gateway is null || id == 0)
        {
            return false;
        }

        nexthop = new Nexthop(id, gateway, device, (flags & FlagOnLink) != 0, protocol);
        return true;
    }

    private static byte Family(AddressFamily family) => family switch
    {
        AddressFamily.InterNetwork => 2,
        AddressFamily.InterNetworkV6 => 10,
        _ => throw new ArgumentException($"a nexthop's gateway is IPv4 or IPv6, not {family}", nameof(family)),
    };
}
