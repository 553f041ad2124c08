namespace Routing.Bgp.Wire.Attributes;

/// <summary>A LARGE_COMMUNITY value (RFC 8092): global administrator, two local data parts.</summary>
public readonly record struct LargeCommunity(uint GlobalAdministrator, uint LocalData1, uint LocalData2)
{
    public override string ToString() => $"{GlobalAdministrator}:{LocalData1}:{LocalData2}";
}

/// <summary>COMMUNITIES values (RFC 1997) as 32-bit numbers, with the well-known ones named.</summary>
public static class Community
{
    public const uint NoExport = 0xFFFFFF01;
    public const uint NoAdvertise = 0xFFFFFF02;
    public const uint NoExportSubconfed = 0xFFFFFF03;

    public static uint Of(ushort asn, ushort value) => ((uint)asn << 16) | value;

    public static string Format(uint community) => community switch
    {
        NoExport => "no-export",
        NoAdvertise => "no-advertise",
        NoExportSubconfed => "no-export-subconfed",
        _ => $"{community >> 16}:{community & 0xFFFF}",
    };
}

/// <summary>AGGREGATOR / AS4_AGGREGATOR: the AS and router ID of the speaker that aggregated.</summary>
public readonly record struct Aggregator(uint Asn, uint Address);

/// <summary>A path attribute the speaker does not interpret, carried on as received (optional transitive).</summary>
public readonly record struct RawAttribute(byte Flags, byte Type, EquatableArray<byte> Value);
