namespace Routing.Bgp.Wire.Attributes;

/// <summary>Attribute flags octet, RFC 4271 §4.3.</summary>
[Flags]
public enum AttributeFlags : byte
{
    None = 0,
    ExtendedLength = 0x10,
    Partial = 0x20,
    Transitive = 0x40,
    Optional = 0x80,
}

/// <summary>Path attribute type codes.</summary>
public static class AttributeType
{
    public const byte Origin = 1;
    public const byte AsPath = 2;
    public const byte NextHop = 3;
    public const byte MultiExitDisc = 4;
    public const byte LocalPref = 5;
    public const byte AtomicAggregate = 6;
    public const byte Aggregator = 7;
    public const byte Communities = 8;
    public const byte OriginatorId = 9;
    public const byte ClusterList = 10;
    public const byte MpReachNlri = 14;
    public const byte MpUnreachNlri = 15;
    public const byte As4Path = 17;
    public const byte As4Aggregator = 18;
    public const byte LargeCommunity = 32;
}
