using System.Buffers.Binary;

namespace Routing.Bgp.Wire.Capabilities;

/// <summary>Capability codes (IANA "Capability Codes").</summary>
public static class CapabilityCode
{
    public const byte Multiprotocol = 1;
    public const byte RouteRefresh = 2;
    public const byte ExtendedNextHop = 5;
    public const byte ExtendedMessage = 6;
    public const byte GracefulRestart = 64;
    public const byte FourOctetAs = 65;
    public const byte AddPath = 69;
    public const byte EnhancedRouteRefresh = 70;
}

/// <summary>
/// A capability advertised in OPEN (RFC 5492): code, then a value whose layout the code decides.
/// One record per capability, each with its own decode and encode; <see cref="CapabilityTable"/> maps codes to decoders.
/// </summary>
public abstract record Capability(byte Code)
{
    /// <summary>Length of the value in bytes.</summary>
    public abstract int ValueLength { get; }

    public abstract void WriteValue(Span<byte> destination);
}

/// <summary>Multiprotocol Extensions, RFC 4760 §8: AFI (2), reserved (1), SAFI (1).</summary>
public sealed record MultiprotocolCapability(AfiSafi Family) : Capability(CapabilityCode.Multiprotocol)
{
    public override int ValueLength => 4;

    public override void WriteValue(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt16BigEndian(destination, Family.Afi);
        destination[2] = 0;
        destination[3] = Family.Safi;
    }

    internal static Capability? Decode(ReadOnlySpan<byte> value) =>
        value.Length == 4 ? new MultiprotocolCapability(new AfiSafi(BinaryPrimitives.ReadUInt16BigEndian(value), value[3])) : null;
}

/// <summary>Route Refresh, RFC 2918: no value.</summary>
public sealed record RouteRefreshCapability() : Capability(CapabilityCode.RouteRefresh)
{
    public override int ValueLength => 0;

    public override void WriteValue(Span<byte> destination)
    {
    }

    internal static Capability? Decode(ReadOnlySpan<byte> value) => value.IsEmpty ? new RouteRefreshCapability() : null;
}

/// <summary>Enhanced Route Refresh, RFC 7313: no value.</summary>
public sealed record EnhancedRouteRefreshCapability() : Capability(CapabilityCode.EnhancedRouteRefresh)
{
    public override int ValueLength => 0;

    public override void WriteValue(Span<byte> destination)
    {
    }

    internal static Capability? Decode(ReadOnlySpan<byte> value) => value.IsEmpty ? new EnhancedRouteRefreshCapability() : null;
}

/// <summary>Extended Message, RFC 8654: no value; messages up to 65535 bytes.</summary>
public sealed record ExtendedMessageCapability() : Capability(CapabilityCode.ExtendedMessage)
{
    public override int ValueLength => 0;

    public override void WriteValue(Span<byte> destination)
    {
    }

    internal static Capability? Decode(ReadOnlySpan<byte> value) => value.IsEmpty ? new ExtendedMessageCapability() : null;
}

/// <summary>Support for 4-octet AS numbers, RFC 6793 §3: the speaker's AS (4).</summary>
public sealed record FourOctetAsCapability(uint Asn) : Capability(CapabilityCode.FourOctetAs)
{
    public override int ValueLength => 4;

    public override void WriteValue(Span<byte> destination) => BinaryPrimitives.WriteUInt32BigEndian(destination, Asn);

    internal static Capability? Decode(ReadOnlySpan<byte> value) =>
        value.Length == 4 ? new FourOctetAsCapability(BinaryPrimitives.ReadUInt32BigEndian(value)) : null;
}

/// <summary>A capability this speaker does not interpret, kept as received.</summary>
public sealed record UnknownCapability(byte UnknownCode, EquatableArray<byte> Value) : Capability(UnknownCode)
{
    public override int ValueLength => Value.Count;

    public override void WriteValue(Span<byte> destination) => Value.AsSpan().CopyTo(destination);
}
