using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Routing.Dataplane.Netlink;

namespace Routing.Dataplane.Routes;

/// <summary>
/// An RTM_NEWROUTE read in place, as integers: what <see cref="RouteTable"/> holds a dumped
/// route against the wanted one with, before (and mostly instead of) reading it into a
/// <see cref="Route"/>. Multipath routes are only flagged: those are read in full.
/// </summary>
internal struct DumpedRoute
{
    public PackedRouteKey Key;
    public byte Protocol;
    public byte Scope;
    public byte Tos;
    public RouteType Type;
    public uint Flags;
    public int InterfaceIndex;
    public UInt128 Gateway;
    public byte GatewayLength;
    public UInt128 Source;
    public byte SourceLength;
    public bool Multipath;
    public uint NexthopId;

    /// <summary>False for a family the agent does not handle (as <see cref="RouteMessage.TryRead(ReadOnlySpan{byte}, out Route)"/>).</summary>
    public static bool TryRead(ReadOnlySpan<byte> payload, out DumpedRoute route)
    {
        route = default;
        if (payload.Length < RouteMessage.HeaderLength)
        {
            throw new NetlinkProtocolException($"an rtmsg of {payload.Length} bytes");
        }

        var family = payload[0];
        if (family is not (PackedRouteKey.InterNetwork or PackedRouteKey.InterNetworkV6))
        {
            return false;
        }

        UInt128 destination = 0;
        uint table = payload[4], metric = 0;
        var attributes = new NetlinkAttributeReader(payload[RouteMessage.HeaderLength..]);
        while (attributes.TryRead(out var kind, out var value))
        {
            switch (kind)
            {
                case RouteMessage.Destination:
                    destination = Address(value);
                    break;
                case RouteMessage.Gateway:
                    route.Gateway = Address(value);
                    route.GatewayLength = (byte)value.Length;
                    break;
                case RouteMessage.PreferredSource:
                    route.Source = Address(value);
                    route.SourceLength = (byte)value.Length;
                    break;
                case RouteMessage.OutputInterface:
                    route.InterfaceIndex = (int)NetlinkAttributeReader.ReadUInt32(value);
                    break;
                case RouteMessage.Priority:
                    metric = NetlinkAttributeReader.ReadUInt32(value);
                    break;
                case RouteMessage.Table:
                    table = NetlinkAttributeReader.ReadUInt32(value);
                    break;
                case RouteMessage.Multipath:
                    route.Multipath = true;
                    break;
                case RouteMessage.NexthopId:
                    route.NexthopId = NetlinkAttributeReader.ReadUInt32(value);
                    break;
            }
        }

        route.Key = new PackedRouteKey(family, destination, payload[1], table, metric);
        route.Tos = payload[3];
        route.Protocol = payload[5];
        route.Scope = payload[6];
        route.Type = (RouteType)payload[7];
        route.Flags = BinaryPrimitives.ReadUInt32LittleEndian(payload[8..]);
        return true;
    }

    /// <summary>
    /// Whether this route, read in full, would satisfy <paramref name="wanted"/> (as
    /// <see cref="Route.IsSatisfiedBy(Route)"/>; the key is taken as matched). False also when it
    /// cannot tell from the integers (multipath, a TOS, an IPv6 scope id): read it in full then.
    /// </summary>
    public readonly bool Satisfies(Route wanted)
    {
        // The key matched: same family, destination, table and (kept) metric. The family comes from
        // the key rather than the wanted route's address, one object fewer to reach per route.
        if (Multipath || Tos != 0 || !wanted.NextHops.IsDefaultOrEmpty || Type != wanted.Type || Protocol != wanted.Protocol
            || (Key.Family == PackedRouteKey.InterNetworkV6 ? RouteScope.Universe : (RouteScope)Scope) != WantedScope(wanted)
            || (wanted.Source is not null && !SameAddress(wanted.Source, Source, SourceLength)))
        {
            return false;
        }

        if (Type != RouteType.Unicast)
        {
            return true;
        }

        return (wanted.Gateway is null ? GatewayLength == 0 : SameAddress(wanted.Gateway, Gateway, GatewayLength))
            && wanted.OnLink == ((Flags & RouteMessage.FlagOnLink) != 0)
            && (wanted.InterfaceIndex == 0 || wanted.InterfaceIndex == InterfaceIndex);
    }

    // Route.EffectiveScope, with the family taken as the key's.
    private readonly RouteScope WantedScope(Route wanted) =>
        Key.Family == PackedRouteKey.InterNetworkV6 ? RouteScope.Universe
        : wanted.Scope ?? (wanted.Type == RouteType.Unicast && wanted.Gateway is null ? RouteScope.Link
            : wanted.Type == RouteType.Local ? RouteScope.Host
            : RouteScope.Universe);

    // The kernel never reports a scope id: a wanted address with one is left to the full comparison.
    private static bool SameAddress(IPAddress address, UInt128 bits, byte length) =>
        length != 0
        && !(address.AddressFamily == AddressFamily.InterNetworkV6 && address.ScopeId != 0)
        && PackedRouteKey.Pack(address, out var family) == bits
        && (family == PackedRouteKey.InterNetwork ? 4 : 16) == length;

    private static UInt128 Address(ReadOnlySpan<byte> value) =>
        value.Length is 4 or 16 ? PackedRouteKey.Pack(value) : throw new NetlinkProtocolException($"an address attribute of {value.Length} bytes");
}
