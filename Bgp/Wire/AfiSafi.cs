namespace Routing.Bgp.Wire;

/// <summary>An address family and subsequent address family (RFC 4760), e.g. IPv6 unicast = 2/1.</summary>
public readonly record struct AfiSafi(ushort Afi, byte Safi)
{
    public const ushort AfiIPv4 = 1;
    public const ushort AfiIPv6 = 2;
    public const byte SafiUnicast = 1;

    public static AfiSafi Ipv4Unicast => new(AfiIPv4, SafiUnicast);

    public static AfiSafi Ipv6Unicast => new(AfiIPv6, SafiUnicast);

    /// <summary>True for the families this speaker carries routes for.</summary>
    public bool IsSupported => this == Ipv4Unicast || this == Ipv6Unicast;

    public override string ToString() => (Afi, Safi) switch
    {
        (AfiIPv4, SafiUnicast) => "ipv4-unicast",
        (AfiIPv6, SafiUnicast) => "ipv6-unicast",
        _ => $"afi{Afi}/safi{Safi}",
    };
}
