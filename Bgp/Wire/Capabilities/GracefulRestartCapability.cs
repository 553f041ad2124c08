using System.Buffers.Binary;

namespace Routing.Bgp.Wire.Capabilities;

/// <summary>One family in the graceful restart capability, with its Forwarding State bit.</summary>
public readonly record struct GracefulRestartFamily(AfiSafi Family, bool ForwardingPreserved);

/// <summary>
/// Graceful Restart, RFC 4724 §3 (N bit from RFC 8538):
/// <code>
/// +--------------------------------------------------+
/// | Restart Flags (4 bits) | Restart Time in s (12)   |
/// +--------------------------------------------------+
/// | AFI (16 bits) | SAFI (8 bits) | Flags for AF (8)  |  repeated
/// +--------------------------------------------------+
/// </code>
/// </summary>
public sealed record GracefulRestartCapability(bool Restarting, bool NotificationSupport, ushort RestartTime, EquatableArray<GracefulRestartFamily> Families)
    : Capability(CapabilityCode.GracefulRestart)
{
    public override int ValueLength => 2 + (4 * Families.Count);

    public override void WriteValue(Span<byte> destination)
    {
        var flags = (Restarting ? 0x8000 : 0) | (NotificationSupport ? 0x4000 : 0) | (RestartTime & 0x0FFF);
        BinaryPrimitives.WriteUInt16BigEndian(destination, (ushort)flags);
        var offset = 2;
        foreach (var family in Families)
        {
            BinaryPrimitives.WriteUInt16BigEndian(destination[offset..], family.Family.Afi);
            destination[offset + 2] = family.Family.Safi;
            destination[offset + 3] = family.ForwardingPreserved ? (byte)0x80 : (byte)0;
            offset += 4;
        }
    }

    internal static Capability? Decode(ReadOnlySpan<byte> value)
    {
        if (value.Length < 2 || (value.Length - 2) % 4 != 0)
        {
            return null;
        }

        var flags = BinaryPrimitives.ReadUInt16BigEndian(value);
        var families = new GracefulRestartFamily[(value.Length - 2) / 4];
        for (var i = 0; i < families.Length; i++)
        {
            var entry = value.Slice(2 + (4 * i), 4);
            families[i] = new GracefulRestartFamily(new AfiSafi(BinaryPrimitives.ReadUInt16BigEndian(entry), entry[2]), (entry[3] & 0x80) != 0);
        }

        return new GracefulRestartCapability((flags & 0x8000) != 0, (flags & 0x4000) != 0, (ushort)(flags & 0x0FFF), families);
    }
}
