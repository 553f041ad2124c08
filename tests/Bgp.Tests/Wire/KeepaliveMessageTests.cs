using Routing.Bgp.Wire;
using static Routing.Bgp.Tests.Wire.TestWire;

namespace Routing.Bgp.Tests.Wire;

/// <summary>KEEPALIVE, RFC 4271 §4.4: a header and nothing else.</summary>
public class KeepaliveMessageTests
{
    private static readonly byte[] Known =
    [
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0x00, 0x13,
        0x04,
    ];

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Encodes_as_sixteen_ones_length_19_type_4(bool fourOctetAs)
    {
        var options = SessionOptions.Initial with { FourOctetAs = fourOctetAs };

        Assert.Equal(Known, KeepaliveMessage.Instance.ToArray(options));
    }

    [Fact]
    public void Decodes_to_the_single_instance()
    {
        var message = ReadMessage<KeepaliveMessage>(Known, SessionOptions.Initial);

        Assert.Same(KeepaliveMessage.Instance, message);
        Assert.Equal(BgpMessageType.Keepalive, message.Type);
        Assert.Equal("KEEPALIVE", message.ToString());
    }

    [Fact]
    public void A_KEEPALIVE_of_length_20_is_Bad_Message_Length()
    {
        var error = ReadError(Frame(BgpMessageType.Keepalive, 0), SessionOptions.Initial);

        AssertReset(error, NotificationCode.MessageHeaderError, ErrorSubcodes.BadMessageLength);
        Assert.Equal(new byte[] { 0, 20 }, error.Data.ToArray());
    }
}
