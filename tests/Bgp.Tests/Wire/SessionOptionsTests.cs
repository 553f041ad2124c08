using Routing.Bgp.Wire;

namespace Routing.Bgp.Tests.Wire;

/// <summary>What the codec is told about the session, and the small value types it is built from.</summary>
public class SessionOptionsTests
{
    [Fact]
    public void Initial_is_2_octet_AS_without_ADD_PATH_and_4096_byte_messages()
    {
        var initial = SessionOptions.Initial;

        Assert.False(initial.FourOctetAs);
        Assert.False(initial.AddPath(AfiSafi.Ipv4Unicast));
        Assert.False(initial.AddPath(AfiSafi.Ipv6Unicast));
        Assert.Equal(4096, initial.MaxMessageLength);
        Assert.True(SessionOptions.Modern.FourOctetAs);
    }

    [Fact]
    public void Extended_messages_raise_the_limit_to_65535()
    {
        // RFC 8654 §4.
        Assert.Equal(65535, (SessionOptions.Modern with { ExtendedMessage = true }).MaxMessageLength);
    }

    [Fact]
    public void ADD_PATH_is_per_family_and_only_for_unicast()
    {
        var v4 = SessionOptions.Modern with { AddPathIPv4 = true };
        var v6 = SessionOptions.Modern with { AddPathIPv6 = true };

        Assert.True(v4.AddPath(AfiSafi.Ipv4Unicast));
        Assert.False(v4.AddPath(AfiSafi.Ipv6Unicast));
        Assert.True(v6.AddPath(AfiSafi.Ipv6Unicast));
        Assert.False(v6.AddPath(AfiSafi.Ipv4Unicast));
        Assert.False((v4 with { AddPathIPv6 = true }).AddPath(new AfiSafi(AfiSafi.AfiIPv4, 128)));
    }

    [Fact]
    public void EquatableArray_compares_by_content_and_treats_default_as_empty()
    {
        EquatableArray<uint> a = new uint[] { 1, 2, 3 };
        EquatableArray<uint> b = new uint[] { 1, 2, 3 };
        EquatableArray<uint> empty = Array.Empty<uint>();

        Assert.True(a == b);
        Assert.False(a != b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.True(a.Equals((object)b));
        Assert.NotEqual(a, new uint[] { 3, 2, 1 });
        Assert.Equal(default, empty);
        Assert.Equal(default(EquatableArray<uint>).GetHashCode(), empty.GetHashCode());
        Assert.True(default(EquatableArray<uint>).IsEmpty);
        Assert.Empty(default(EquatableArray<uint>));
        Assert.Equal(3, a.Count);
        Assert.Equal(2u, a[1]);
        Assert.Equal([1u, 2u, 3u], a);
        Assert.Equal("1 2 3", a.ToString());
    }

    [Fact]
    public void BgpError_prints_code_subcode_action_and_reason()
    {
        var error = BgpError.Update(ErrorSubcodes.MalformedAsPath, ErrorAction.TreatAsWithdraw, "empty segment");

        Assert.Equal("UpdateMessageError/Malformed AS_PATH (TreatAsWithdraw): empty segment", error.ToString());
        Assert.Equal(ErrorAction.SessionReset, BgpError.Open(ErrorSubcodes.BadPeerAs, "peer AS").Action);
        Assert.Equal(NotificationCode.MessageHeaderError, BgpError.Header(ErrorSubcodes.BadMessageType, "type").Code);
    }
}
