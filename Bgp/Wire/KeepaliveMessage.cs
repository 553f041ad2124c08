namespace Routing.Bgp.Wire;

/// <summary>KEEPALIVE, RFC 4271 §4.4: the header alone.</summary>
public sealed class KeepaliveMessage : BgpMessage
{
    public static readonly KeepaliveMessage Instance = new();

    private KeepaliveMessage()
    {
    }

    public override BgpMessageType Type => BgpMessageType.Keepalive;

    protected override int WriteBody(Span<byte> destination, in SessionOptions options) => 0;

    public override string ToString() => "KEEPALIVE";
}
