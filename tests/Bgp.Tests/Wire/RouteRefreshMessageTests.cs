using Routing.Bgp.Wire;
using static Routing.Bgp.Tests.Wire.TestWire;

namespace Routing.Bgp.Tests.Wire;

/// <summary>ROUTE-REFRESH, RFC 2918, with the subtypes of enhanced route refresh (RFC 7313).</summary>
public class RouteRefreshMessageTests
{
    private static readonly SessionOptions Options = SessionOptions.Modern;

    [Fact]
    public void Encodes_AFI_subtype_SAFI()
    {
        Assert.Equal([.. Marker, 0, 23, 5, 0, 1, 0, 1], new RouteRefreshMessage(AfiSafi.Ipv4Unicast).ToArray(Options));
        Assert.Equal(
            [.. Marker, 0, 23, 5, 0, 2, 1, 1],
            new RouteRefreshMessage(AfiSafi.Ipv6Unicast, RouteRefreshSubtype.BeginningOfRouteRefresh).ToArray(Options));
        Assert.Equal(
            [.. Marker, 0, 23, 5, 0, 2, 2, 1],
            new RouteRefreshMessage(AfiSafi.Ipv6Unicast, RouteRefreshSubtype.EndOfRouteRefresh).ToArray(Options));
    }

    [Theory]
    [InlineData(AfiSafi.AfiIPv4, RouteRefreshSubtype.Request)]
    [InlineData(AfiSafi.AfiIPv4, RouteRefreshSubtype.BeginningOfRouteRefresh)]
    [InlineData(AfiSafi.AfiIPv4, RouteRefreshSubtype.EndOfRouteRefresh)]
    [InlineData(AfiSafi.AfiIPv6, RouteRefreshSubtype.Request)]
    [InlineData(AfiSafi.AfiIPv6, RouteRefreshSubtype.BeginningOfRouteRefresh)]
    [InlineData(AfiSafi.AfiIPv6, RouteRefreshSubtype.EndOfRouteRefresh)]
    public void Survives_a_round_trip(ushort afi, RouteRefreshSubtype subtype)
    {
        var family = new AfiSafi(afi, AfiSafi.SafiUnicast);

        var decoded = RoundTrip(new RouteRefreshMessage(family, subtype), Options);

        Assert.Equal(BgpMessageType.RouteRefresh, decoded.Type);
        Assert.Equal(family, decoded.Family);
        Assert.Equal(subtype, decoded.Subtype);
    }

    [Fact]
    public void An_unknown_subtype_is_decoded_for_the_session_to_ignore()
    {
        // RFC 7313 §5: a subtype other than 0, 1, 2 is ignored, not an error.
        var decoded = ReadMessage<RouteRefreshMessage>(Frame(BgpMessageType.RouteRefresh, 0, 1, 9, 1), Options);

        Assert.Equal((RouteRefreshSubtype)9, decoded.Subtype);
    }

    [Fact]
    public void A_family_that_is_not_carried_is_decoded_as_sent()
    {
        var decoded = ReadMessage<RouteRefreshMessage>(Frame(BgpMessageType.RouteRefresh, 0, 1, 0, 128), Options);

        Assert.Equal(new AfiSafi(1, 128), decoded.Family);
        Assert.False(decoded.Family.IsSupported);
        Assert.Equal("ROUTE-REFRESH afi1/safi128 Request", decoded.ToString());
    }

    [Theory]
    [InlineData(RouteRefreshSubtype.BeginningOfRouteRefresh)]
    [InlineData(RouteRefreshSubtype.EndOfRouteRefresh)]
    public void A_BoRR_or_EoRR_of_the_wrong_length_is_ROUTE_REFRESH_Invalid_Message_Length_with_the_message_as_data(RouteRefreshSubtype subtype)
    {
        // RFC 7313 §5: Error Code ROUTE-REFRESH Message Error, subcode Invalid Message Length (1),
        // Data the complete ROUTE-REFRESH message.
        var bytes = Frame(BgpMessageType.RouteRefresh, 0, 1, (byte)subtype, 1, 0);

        var error = ReadError(bytes, Options);

        AssertReset(error, NotificationCode.RouteRefreshMessageError, ErrorSubcodes.InvalidMessageLength);
        Assert.Equal(bytes, error.Data.ToArray());
    }

    [Theory]
    [InlineData(new byte[] { })]
    [InlineData(new byte[] { 0, 1, 0 })]
    [InlineData(new byte[] { 0, 1, 0, 1, 0 })]
    public void A_plain_ROUTE_REFRESH_of_the_wrong_length_is_Bad_Message_Length(byte[] body)
    {
        var error = ReadError(Frame(BgpMessageType.RouteRefresh, body), Options);

        AssertReset(error, NotificationCode.MessageHeaderError, ErrorSubcodes.BadMessageLength);
        Assert.Equal(U16(19 + body.Length), error.Data.ToArray());
    }

    [Fact]
    public void Families_print_by_name()
    {
        Assert.Equal("ipv4-unicast", AfiSafi.Ipv4Unicast.ToString());
        Assert.Equal("ipv6-unicast", AfiSafi.Ipv6Unicast.ToString());
        Assert.True(AfiSafi.Ipv6Unicast.IsSupported);
    }
}
