using System.Buffers.Binary;
using System.Collections.Immutable;
using System.Net;
using System.Net.Sockets;
using Routing.Dataplane.Netlink;

namespace Routing.Dataplane.Routes;

/// <summary>
/// RTM_NEWROUTE / RTM_DELROUTE / RTM_GETROUTE bodies.
/// <code>
/// struct rtmsg {                   // linux/rtnetlink.h
///     unsigned char rtm_family;    // AF_INET, AF_INET6
///     unsigned char rtm_dst_len;   // prefix length of RTA_DST
///     unsigned char rtm_src_len;
///     unsigned char rtm_tos;
///     unsigned char rtm_table;     // RT_TABLE_UNSPEC when the id needs RTA_TABLE's 32 bits
///     unsigned char rtm_protocol;  // RTPROT_*: who installed it
///     unsigned char rtm_scope;     // RT_SCOPE_*
///     unsigned char rtm_type;      // RTN_*
///     unsigned      rtm_flags;     // RTNH_F_ONLINK, RTM_F_*
/// };                               // then RTA_* attributes
///
/// struct rtnexthop {               // one path inside RTA_MULTIPATH
///     unsigned short rtnh_len;     // this struct and its attributes (RTA_GATEWAY)
///     unsigned char  rtnh_flags;   // RTNH_F_ONLINK, …
///     unsigned char  rtnh_hops;    // weight − 1
///     int            rtnh_ifindex;
/// };
/// </code>
/// </summary>
public static class RouteMessage
{
    public const int HeaderLength = 12;
    public const int NextHopLength = 8;

    public const ushort Destination = 1;     // RTA_DST
    public const ushort OutputInterface = 4; // RTA_OIF
    public const ushort Gateway = 5;         // RTA_GATEWAY
    public const ushort Priority = 6;        // RTA_PRIORITY
    public const ushort PreferredSource = 7; // RTA_PREFSRC
    public const ushort Multipath = 9;       // RTA_MULTIPATH
    public const ushort Table = 15;          // RTA_TABLE
    public const ushort NexthopId = 30;      // RTA_NH_ID

    internal const uint FlagOnLink = 4;      // RTNH_F_ONLINK
    private const int MaxWeight = 256;

    /// <summary>Writes a whole RTM_NEWROUTE (flags: CREATE|EXCL to add, CREATE|REPLACE to replace) or RTM_DELROUTE message.</summary>
    /// <remarks>
    /// A <paramref name="nexthopId"/> (else the route's own <see cref="Route.NexthopId"/>) sends the route
    /// through that nexthop object: RTA_NH_ID stands for its gateway, device and onlink flag.
    /// </remarks>
    public static void Write(NetlinkMessageBuilder builder, NetlinkMessageType type, NetlinkMessageFlags flags, uint sequence, Route route, uint nexthopId = 0)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.BeginMessage(type, flags | NetlinkMessageFlags.Request, sequence);
        WriteBody(builder, route, type == NetlinkMessageType.DeleteRoute, nexthopId);
        builder.EndMessage();
    }

    /// <summary>The rtmsg and attributes of <paramref name="route"/>. A delete matches any scope, as <c>ip route del</c> does.</summary>
    public static void WriteBody(NetlinkMessageBuilder builder, Route route, bool forDelete = false, uint nexthopId = 0)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(route);
        Validate(route);
        if (nexthopId == 0)
        {
            nexthopId = route.NexthopId;
        }

        var header = builder.AppendHeader(HeaderLength);
        header[0] = Family(route.Destination.BaseAddress);
        header[1] = (byte)route.Destination.PrefixLength;
        header[4] = route.Table < 256 ? (byte)route.Table : (byte)RouteTables.Unspecified;
        header[5] = route.Protocol;
        header[6] = forDelete ? (byte)RouteScope.Nowhere : (byte)route.EffectiveScope;
        header[7] = (byte)route.Type;
        BinaryPrimitives.WriteUInt32LittleEndian(header[8..], route.OnLink && nexthopId == 0 ? FlagOnLink : 0);

        // As iproute2 does: RTA_TABLE only when the id does not fit rtm_table.
        if (route.Table >= 256)
        {
            builder.PutUInt32(Table, route.Table);
        }

        if (route.Destination.PrefixLength > 0)
        {
            builder.PutAddress(Destination, route.Destination.BaseAddress);
        }

        if (route.Metric != 0)
        {
            builder.PutUInt32(Priority, route.Metric);
        }

        if (route.Source is not null)
        {
            builder.PutAddress(PreferredSource, route.Source);
        }

        if (nexthopId != 0)
        {
            // The nexthop holds the gateway, device and flags; the kernel refuses them beside it.
            builder.PutUInt32(NexthopId, nexthopId);
            return;
        }

        if (route.Gateway is not null)
        {
            builder.PutAddress(Gateway, route.Gateway);
        }

        if (route.InterfaceIndex != 0)
        {
            builder.PutInt32(OutputInterface, route.InterfaceIndex);
        }

        if (!route.NextHops.IsDefaultOrEmpty)
        {
            var nest = builder.BeginNested(Multipath);
            foreach (var hop in route.NextHops)
            {
                var start = builder.AppendRaw(NextHopLength, out var room);
                room[2] = hop.OnLink ? (byte)FlagOnLink : (byte)0;
                room[3] = (byte)(hop.Weight - 1);
                BinaryPrimitives.WriteInt32LittleEndian(room[4..], hop.InterfaceIndex);
                if (hop.Gateway is not null)
                {
                    builder.PutAddress(Gateway, hop.Gateway);
                }

                BinaryPrimitives.WriteUInt16LittleEndian(builder.Patch(start, 2), (ushort)builder.LengthSince(start));
            }

            builder.EndNested(nest);
        }
    }

    /// <summary>
    /// An RTM_DELROUTE for whatever route of <paramref name="protocol"/> is under <paramref name="key"/>:
    /// as <c>ip route del</c> sends it (type unspecified, scope nowhere), with no next hop to match.
    /// </summary>
    public static void WriteDelete(NetlinkMessageBuilder builder, uint sequence, in PackedRouteKey key, byte protocol)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.BeginMessage(NetlinkMessageType.DeleteRoute, NetlinkMessageFlags.Request, sequence);
        var header = builder.AppendHeader(HeaderLength);
        header[0] = key.Family;
        header[1] = key.PrefixLength;
        header[4] = key.Table < 256 ? (byte)key.Table : (byte)RouteTables.Unspecified;
        header[5] = protocol;
        header[6] = (byte)RouteScope.Nowhere;
        if (key.Table >= 256)
        {
            builder.PutUInt32(Table, key.Table);
        }

        if (key.PrefixLength > 0)
        {
            Span<byte> address = stackalloc byte[16];
            if (key.Family == PackedRouteKey.InterNetwork)
            {
                BinaryPrimitives.WriteUInt32BigEndian(address, (uint)key.Address);
                builder.PutAttribute(Destination, address[..4]);
            }
            else
            {
                BinaryPrimitives.WriteUInt128BigEndian(address, key.Address);
                builder.PutAttribute(Destination, address);
            }
        }

        if (key.Metric != 0)
        {
            builder.PutUInt32(Priority, key.Metric);
        }

        builder.EndMessage();
    }

    /// <summary>An RTM_GETROUTE body asking which way the kernel would send to <paramref name="address"/>.</summary>
    public static void WriteLookup(NetlinkMessageBuilder builder, IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(address);
        var header = builder.AppendHeader(HeaderLength);
        header[0] = Family(address);
        header[1] = (byte)(address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128);
        builder.PutAddress(Destination, address);
    }

    /// <summary>The rtmsg of a dump request: family, and the table and protocol the kernel should filter on (NETLINK_GET_STRICT_CHK).</summary>
    public static void WriteDumpRequest(NetlinkMessageBuilder builder, AddressFamily? family, uint? table, byte? protocol)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var header = builder.AppendHeader(HeaderLength);
        header[0] = family switch
        {
            AddressFamily.InterNetwork => 2,
            AddressFamily.InterNetworkV6 => 10,
            _ => 0,
        };
        header[4] = table is { } t && t < 256 ? (byte)t : (byte)0;
        header[5] = protocol ?? 0;
        if (table is { } id)
        {
            builder.PutUInt32(Table, id);
        }
    }

    /// <summary>Reads an RTM_NEWROUTE / RTM_DELROUTE; false for a family or kind the agent does not handle (cloned routes, multicast family).</summary>
    public static bool TryRead(in NetlinkMessage message, out Route route) => TryRead(message.Payload, out route);

    public static bool TryRead(ReadOnlySpan<byte> payload, out Route route)
    {
        route = null!;
        if (payload.Length < HeaderLength)
        {
            throw new NetlinkProtocolException($"an rtmsg of {payload.Length} bytes");
        }

        var family = payload[0];
        if (family is not (2 or 10))
        {
            return false;
        }

        var prefixLength = payload[1];
        var table = (uint)payload[4];
        var protocol = payload[5];
        var scope = (RouteScope)payload[6];
        var type = (RouteType)payload[7];
        var flags = BinaryPrimitives.ReadUInt32LittleEndian(payload[8..]);
        IPAddress? destination = null, gateway = null, source = null;
        uint metric = 0;
        var interfaceIndex = 0;
        var hops = ImmutableArray<NextHop>.Empty;
        uint nexthopId = 0;

        var attributes = new NetlinkAttributeReader(payload[HeaderLength..]);
        while (attributes.TryRead(out var kind, out var value))
        {
            switch (kind)
            {
                case Destination:
                    destination = NetlinkAttributeReader.ReadAddress(value);
                    break;
                case Gateway:
                    gateway = NetlinkAttributeReader.ReadAddress(value);
                    break;
                case PreferredSource:
                    source = NetlinkAttributeReader.ReadAddress(value);
                    break;
                case OutputInterface:
                    interfaceIndex = (int)NetlinkAttributeReader.ReadUInt32(value);
                    break;
                case Priority:
                    metric = NetlinkAttributeReader.ReadUInt32(value);
                    break;
                case Table:
                    table = NetlinkAttributeReader.ReadUInt32(value);
                    break;
                case Multipath:
                    hops = ReadNextHops(value);
                    break;
                case NexthopId:
                    nexthopId = NetlinkAttributeReader.ReadUInt32(value);
                    break;
            }
        }

        var any = family == 2 ? IPAddress.Any : IPAddress.IPv6Any;
        route = new Route
        {
            Destination = new IPNetwork(destination ?? any, prefixLength),
            Type = type,
            Table = table,
            Protocol = protocol,
            Scope = family == 10 ? null : scope,
            Metric = metric,
            Gateway = gateway,

            // IPv6 points blackhole and unreachable routes at lo; that device says nothing about the route.
            InterfaceIndex = type == RouteType.Unicast ? interfaceIndex : 0,
            OnLink = (flags & FlagOnLink) != 0,
            Source = source,
            NextHops = hops,
            NexthopId = nexthopId,
        };
        return true;
    }

    private static ImmutableArray<NextHop> ReadNextHops(ReadOnlySpan<byte> value)
    {
        var hops = ImmutableArray.CreateBuilder<NextHop>();
        while (value.Length >= NextHopLength)
        {
            var length = BinaryPrimitives.ReadUInt16LittleEndian(value);
            if (length < NextHopLength || length > value.Length)
            {
                throw new NetlinkProtocolException($"an rtnexthop of length {length} in {value.Length} bytes");
            }

            var flags = value[2];
            var weight = value[3] + 1;
            var index = BinaryPrimitives.ReadInt32LittleEndian(value[4..]);
            IPAddress? gateway = null;
            var attributes = new NetlinkAttributeReader(value[NextHopLength..length]);
            while (attributes.TryRead(out var kind, out var attribute))
            {
                if (kind == Gateway)
                {
                    gateway = NetlinkAttributeReader.ReadAddress(attribute);
                }
            }

            hops.Add(new NextHop(gateway, index, weight, (flags & FlagOnLink) != 0));
            var next = NetlinkMessage.Align(length);
            value = next >= value.Length ? default : value[next..];
        }

        return hops.ToImmutable();
    }

    private static void Validate(Route route)
    {
        foreach (var hop in route.NextHops.IsDefault ? [] : route.NextHops)
        {
            if (hop.Weight is < 1 or > MaxWeight)
            {
                throw new ArgumentException($"route {route}: next hop weight {hop.Weight} is outside 1-{MaxWeight}", nameof(route));
            }
        }

        if (route.Gateway is not null && route.Gateway.AddressFamily != route.Family)
        {
            throw new ArgumentException($"route {route}: the gateway's family differs from the destination's", nameof(route));
        }
    }

    private static byte Family(IPAddress address) => address.AddressFamily == AddressFamily.InterNetworkV6 ? (byte)10 : (byte)2;
}
