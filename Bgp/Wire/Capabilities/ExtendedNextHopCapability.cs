using System.Buffers.Binary;

namespace Routing.Bgp.Wire.Capabilities;

/// <summary>One tuple of the extended next hop capability: NLRI family and the next hop's AFI.</summary>
public readonly record struct ExtendedNextHopEntry(AfiSafi Nlri, ushort NextHopAfi);

/// <summary>
/// Extended Next Hop Encoding, RFC 8950 §3: tuples of NLRI AFI (2), NLRI SAFI (2), Next Hop AFI (2),
/// e.g. IPv4 unicast routes with IPv6 next hops.
/// </summary>
public sealed record ExtendedNextHopCapability(EquatableArray<ExtendedNextHopEntry> Entries) : Capability(CapabilityCode.ExtendedNextHop)
{
    public override int ValueLength => 6 * Entries.Count;

    public override void WriteValue(Span<byte> destination)
    {
        var offset = 0;
        foreach (var entry in Entries)
        {
            BinaryPrimitives.WriteUInt16BigEndian(destination[offset..], entry.Nlri.Afi);
            BinaryPrimitives.WriteUInt16BigEndian(destination[(offset + 2)..], entry.Nlri.Safi);
            BinaryPrimitives.WriteUInt16BigEndian(destination[(offset + 4)..], entry.NextHopAfi);
            offset += 6;
        }
    }

    internal static Capability? Decode(ReadOnlySpan<byte> value)
    {
        if (value.Length % 6 != 0)
        {
            return null;
        }

        var entries = new ExtendedNextHopEntry[value.Length / 6];
        for (var i = 0; i < entries.Length; i++)
        {
            var e = value.Slice(6 * i, 6);
            var safi = BinaryPrimitives.ReadUInt16BigEndian(e[2..]);
            if (safi > byte.MaxValue)
            {
                return null;
            }

            entries[i] = new ExtendedNextHopEntry(new AfiSafi(BinaryPrimitives.ReadUInt16BigEndian(e), (byte)safi), BinaryPrimitives.ReadUInt16BigEndian(e[4..]));
        }

        return new ExtendedNextHopCapability(entries);
    }
}
