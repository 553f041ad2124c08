using System.Buffers.Binary;

namespace Routing.Bgp.Wire.Capabilities;

/// <summary>Send/Receive field of ADD-PATH, RFC 7911 §4.</summary>
[Flags]
public enum AddPathMode : byte
{
    None = 0,
    Receive = 1,
    Send = 2,
    Both = 3,
}

public readonly record struct AddPathEntry(AfiSafi Family, AddPathMode Mode);

/// <summary>ADD-PATH, RFC 7911 §4: tuples of AFI (2), SAFI (1), Send/Receive (1).</summary>
public sealed record AddPathCapability(EquatableArray<AddPathEntry> Entries) : Capability(CapabilityCode.AddPath)
{
    public override int ValueLength => 4 * Entries.Count;

    public override void WriteValue(Span<byte> destination)
    {
        var offset = 0;
        foreach (var entry in Entries)
        {
            BinaryPrimitives.WriteUInt16BigEndian(destination[offset..], entry.Family.Afi);
            destination[offset + 2] = entry.Family.Safi;
            destination[offset + 3] = (byte)entry.Mode;
            offset += 4;
        }
    }

    internal static Capability? Decode(ReadOnlySpan<byte> value)
    {
        if (value.Length % 4 != 0)
        {
            return null;
        }

        var entries = new AddPathEntry[value.Length / 4];
        for (var i = 0; i < entries.Length; i++)
        {
            var e = value.Slice(4 * i, 4);
            if (e[3] is 0 or > 3)
            {
                return null;
            }

            entries[i] = new AddPathEntry(new AfiSafi(BinaryPrimitives.ReadUInt16BigEndian(e), e[2]), (AddPathMode)e[3]);
        }

        return new AddPathCapability(entries);
    }
}
