using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Routing.Bgp.Wire.Attributes;

namespace Routing.Bgp.Wire;

/// <summary>
/// UPDATE, RFC 4271 §4.3:
/// <code>
/// +-----------------------------------------------------+
/// |   Withdrawn Routes Length (2 octets)                |
/// +-----------------------------------------------------+
/// |   Withdrawn Routes (variable)                       |
/// +-----------------------------------------------------+
/// |   Total Path Attribute Length (2 octets)            |
/// +-----------------------------------------------------+
/// |   Path Attributes (variable)                        |
/// +-----------------------------------------------------+
/// |   Network Layer Reachability Information (variable) |
/// +-----------------------------------------------------+
/// </code>
/// IPv4 unicast routes travel in the withdrawn and NLRI fields; IPv6 in MP_REACH/MP_UNREACH.
/// </summary>
public sealed partial class UpdateMessage : BgpMessage
{
    public UpdateMessage(
        IReadOnlyList<Nlri>? withdrawn = null,
        PathAttributes? attributes = null,
        IReadOnlyList<Nlri>? nlri = null,
        MpReach? mpReach = null,
        MpUnreach? mpUnreach = null)
    {
        Withdrawn = withdrawn ?? [];
        Attributes = attributes;
        Nlri = nlri ?? [];
        MpReach = mpReach;
        MpUnreach = mpUnreach;
    }

    public override BgpMessageType Type => BgpMessageType.Update;

    /// <summary>IPv4 unicast routes withdrawn (the Withdrawn Routes field).</summary>
    public IReadOnlyList<Nlri> Withdrawn { get; }

    /// <summary>The path attributes, or null when the UPDATE carries none (withdrawals only).</summary>
    public PathAttributes? Attributes { get; }

    /// <summary>IPv4 unicast routes announced (the NLRI field).</summary>
    public IReadOnlyList<Nlri> Nlri { get; }

    public MpReach? MpReach { get; }

    public MpUnreach? MpUnreach { get; }

    /// <summary>Set when RFC 7606 says every route of this UPDATE is to be treated as withdrawn, with the reason.</summary>
    public BgpError? TreatAsWithdraw { get; private init; }

    /// <summary>Attributes dropped under RFC 7606 "attribute discard", each with the reason.</summary>
    public IReadOnlyList<BgpError> Discarded { get; private init; } = [];

    /// <summary>The family whose End-of-RIB marker this is (RFC 4724 §2), or null.</summary>
    public AfiSafi? EndOfRib =>
        Withdrawn.Count == 0 && Nlri.Count == 0 && MpReach is null
            ? Attributes is null && MpUnreach is null
                ? AfiSafi.Ipv4Unicast
                : MpUnreach is { Withdrawn.Count: 0 } unreach && Attributes is null ? unreach.Family : null
            : null;

    public static UpdateMessage EndOfRibFor(AfiSafi family) =>
        family == AfiSafi.Ipv4Unicast ? new UpdateMessage() : new UpdateMessage(mpUnreach: new MpUnreach(family, []));

    /// <summary>Routes this UPDATE announces, by family (none when treated as withdraw).</summary>
    public IEnumerable<(AfiSafi Family, Nlri Nlri)> Announced()
    {
        if (TreatAsWithdraw is not null)
        {
            yield break;
        }

        foreach (var nlri in Nlri)
        {
            yield return (AfiSafi.Ipv4Unicast, nlri);
        }

        if (MpReach is not null)
        {
            foreach (var nlri in MpReach.Nlri)
            {
                yield return (MpReach.Family, nlri);
            }
        }
    }

    /// <summary>Routes this UPDATE withdraws, by family, including announcements treated as withdrawn.</summary>
    public IEnumerable<(AfiSafi Family, Nlri Nlri)> WithdrawnRoutes()
    {
        foreach (var nlri in Withdrawn)
        {
            yield return (AfiSafi.Ipv4Unicast, nlri);
        }

        if (MpUnreach is not null)
        {
            foreach (var nlri in MpUnreach.Withdrawn)
            {
                yield return (MpUnreach.Family, nlri);
            }
        }

        if (TreatAsWithdraw is not null)
        {
            foreach (var nlri in Nlri)
            {
                yield return (AfiSafi.Ipv4Unicast, nlri);
            }

            if (MpReach is not null)
            {
                foreach (var nlri in MpReach.Nlri)
                {
                    yield return (MpReach.Family, nlri);
                }
            }
        }
    }

    /// <summary>The next hop of the announced routes of <paramref name="family"/>.</summary>
    public IPAddress? NextHopFor(AfiSafi family) =>
        MpReach is not null && MpReach.Family == family ? MpReach.NextHop : family == AfiSafi.Ipv4Unicast ? Attributes?.NextHop : null;

    protected override int WriteBody(Span<byte> destination, in SessionOptions options)
    {
        var addPath4 = options.AddPathIPv4;

        // Withdrawn routes.
        var offset = 2 + NlriCodec.WriteAll(destination[2..], Withdrawn, addPath4);

        BinaryPrimitives.WriteUInt16BigEndian(destination, (ushort)(offset - 2));

        // Path attributes.
        var attributesStart = offset + 2;
        offset = attributesStart;
        if (MpReach is not null)
        {
            offset += WriteMpReach(destination[offset..], MpReach, options);
        }

        if (MpUnreach is not null)
        {
            offset += WriteMpUnreach(destination[offset..], MpUnreach, options);
        }

        if (Attributes is not null)
        {
            offset += WriteAttributes(destination[offset..], Attributes, options);
        }

        BinaryPrimitives.WriteUInt16BigEndian(destination[(attributesStart - 2)..], (ushort)(offset - attributesStart));

        return offset + NlriCodec.WriteAll(destination[offset..], Nlri, addPath4);
    }

    /// <summary>Writes every attribute that <paramref name="attributes"/> carries, in type-code order.</summary>
    internal static int WriteAttributes(Span<byte> destination, PathAttributes attributes, in SessionOptions options)
    {
        var offset = 0;
        foreach (var descriptor in AttributeTable.Encoders)
        {
            // Value first, after a 4-byte header slot; then the header is fitted in front of it.
            var value = destination[(offset + 4)..];
            var length = descriptor.Encode!(attributes, options, value);
            if (length < 0)
            {
                continue;
            }

            offset += WriteHeaderAndShift(destination[offset..], descriptor.Flags, descriptor.Type, length);
        }

        foreach (var raw in attributes.Unknown)
        {
            // RFC 4271 §5: an unrecognised optional transitive attribute is passed on with Partial set.
            raw.Value.AsSpan().CopyTo(destination[(offset + 4)..]);
            var flags = (AttributeFlags)raw.Flags | AttributeFlags.Partial;
            offset += WriteHeaderAndShift(destination[offset..], flags, raw.Type, raw.Value.Count);
        }

        return offset;
    }

    /// <summary>
    /// The value sits at +4; writes a 3- or 4-byte attribute header before it (moving the value
    /// back by one byte for a short header) and returns the attribute's total size.
    /// </summary>
    private static int WriteHeaderAndShift(Span<byte> destination, AttributeFlags flags, byte type, int length)
    {
        flags &= ~AttributeFlags.ExtendedLength;
        if (length > 255)
        {
            destination[0] = (byte)(flags | AttributeFlags.ExtendedLength);
            destination[1] = type;
            BinaryPrimitives.WriteUInt16BigEndian(destination[2..], (ushort)length);
            return 4 + length;
        }

        destination.Slice(4, length).CopyTo(destination[3..]);
        destination[0] = (byte)flags;
        destination[1] = type;
        destination[2] = (byte)length;
        return 3 + length;
    }

    private static int WriteMpReach(Span<byte> destination, MpReach reach, in SessionOptions options)
    {
        var value = destination[4..];
        BinaryPrimitives.WriteUInt16BigEndian(value, reach.Family.Afi);
        value[2] = reach.Family.Safi;
        var nextHopLength = 0;
        if (!reach.NextHop.TryWriteBytes(value[4..], out nextHopLength))
        {
            throw new InvalidOperationException("unwritable next hop");
        }

        if (reach.LinkLocalNextHop is { AddressFamily: AddressFamily.InterNetworkV6 } linkLocal && linkLocal.TryWriteBytes(value[(4 + nextHopLength)..], out var more))
        {
            nextHopLength += more;
        }

        value[3] = (byte)nextHopLength;
        value[4 + nextHopLength] = 0;
        var length = 5 + nextHopLength;
        length += NlriCodec.WriteAll(value[length..], reach.Nlri, options.AddPath(reach.Family));

        return WriteHeaderAndShift(destination, AttributeFlags.Optional, AttributeType.MpReachNlri, length);
    }

    private static int WriteMpUnreach(Span<byte> destination, MpUnreach unreach, in SessionOptions options)
    {
        var value = destination[4..];
        BinaryPrimitives.WriteUInt16BigEndian(value, unreach.Family.Afi);
        value[2] = unreach.Family.Safi;
        var length = 3 + NlriCodec.WriteAll(value[3..], unreach.Withdrawn, options.AddPath(unreach.Family));

        return WriteHeaderAndShift(destination, AttributeFlags.Optional, AttributeType.MpUnreachNlri, length);
    }

    public override string ToString()
    {
        if (EndOfRib is { } family)
        {
            return $"UPDATE End-of-RIB {family}";
        }

        var parts = new List<string>();
        var announced = Announced().Select(a => a.Nlri.ToString()).ToArray();
        var withdrawn = WithdrawnRoutes().Select(w => w.Nlri.ToString()).ToArray();
        if (announced.Length > 0)
        {
            parts.Add($"announce {announced.Length} [{string.Join(' ', announced.Take(4))}{(announced.Length > 4 ? " …" : string.Empty)}] {Attributes}");
        }

        if (withdrawn.Length > 0)
        {
            parts.Add($"withdraw {withdrawn.Length} [{string.Join(' ', withdrawn.Take(4))}{(withdrawn.Length > 4 ? " …" : string.Empty)}]");
        }

        if (TreatAsWithdraw is not null)
        {
            parts.Add($"treated as withdraw: {TreatAsWithdraw}");
        }

        return "UPDATE " + string.Join("; ", parts);
    }
}
