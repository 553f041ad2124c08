namespace Routing.Bgp.Wire;

/// <summary>
/// What the two speakers negotiated in their OPENs and the codec must know (GoBGP's
/// MarshallingOption): 4-octet AS numbers, ADD-PATH receive per family, extended messages.
/// </summary>
public readonly record struct SessionOptions(bool FourOctetAs, bool AddPathIPv4, bool AddPathIPv6, bool ExtendedMessage)
{
    /// <summary>Before OPENs are exchanged: 2-octet AS, no ADD-PATH, 4096-byte messages.</summary>
    public static SessionOptions Initial => default;

    /// <summary>What a modern peer usually negotiates: 4-octet AS numbers.</summary>
    public static SessionOptions Modern => new(FourOctetAs: true, AddPathIPv4: false, AddPathIPv6: false, ExtendedMessage: false);

    public int MaxMessageLength => ExtendedMessage ? 65535 : 4096;

    public bool AddPath(AfiSafi family) =>
        family == AfiSafi.Ipv4Unicast ? AddPathIPv4 : family == AfiSafi.Ipv6Unicast && AddPathIPv6;
}
