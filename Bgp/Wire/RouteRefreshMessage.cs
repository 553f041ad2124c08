using System.Buffers.Binary;

namespace Routing.Bgp.Wire;

/// <summary>Subtypes of ROUTE-REFRESH: plain (RFC 2918) and the enhanced markers (RFC 7313).</summary>
public enum RouteRefreshSubtype : byte
{
    Request = 0,
    BeginningOfRouteRefresh = 1,
    EndOfRouteRefresh = 2,
}

/// <summary>
/// ROUTE-REFRESH, RFC 2918 §3:
/// <code>
///  0       7      15      23      31
///  +-------+-------+-------+-------+
///  |      AFI      | Res.  | SAFI  |
///  +-------+-------+-------+-------+
/// </code>
/// The reserved octet is the subtype of RFC 7313.
/// </summary>
public sealed class RouteRefreshMessage(AfiSafi family, RouteRefreshSubtype subtype = RouteRefreshSubtype.Request) : BgpMessage
{
    public override BgpMessageType Type => BgpMessageType.RouteRefresh;

    public AfiSafi Family { get; } = family;

    public RouteRefreshSubtype Subtype { get; } = subtype;

    internal static RouteRefreshMessage Decode(ReadOnlySpan<byte> body) =>
        new(new AfiSafi(BinaryPrimitives.ReadUInt16BigEndian(body), body[3]), (RouteRefreshSubtype)body[2]);

    protected override int WriteBody(Span<byte> destination, in SessionOptions options)
    {
        BinaryPrimitives.WriteUInt16BigEndian(destination, Family.Afi);
        destination[2] = (byte)Subtype;
        destination[3] = Family.Safi;
        return 4;
    }

    public override string ToString() => $"ROUTE-REFRESH {Family} {Subtype}";
}
