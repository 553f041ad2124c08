using System.Buffers.Binary;
using Routing.Bgp.Wire.Attributes;

namespace Routing.Bgp.Wire;

public sealed partial class UpdateMessage
{
    /// <summary>
    /// Decodes an UPDATE body with the revised error handling of RFC 7606: a malformed attribute
    /// costs the routes of this UPDATE (treat-as-withdraw) or only the attribute (attribute discard);
    /// the session is reset (a returned error) only when the message cannot be parsed reliably.
    /// </summary>
    internal static UpdateMessage? Decode(ReadOnlySpan<byte> body, in SessionOptions options, out BgpError? error)
    {
        error = null;

        // RFC 7606 §5.3 / RFC 4271 §6.3: the length fields must add up, or nothing else can be trusted.
        int withdrawnLength = BinaryPrimitives.ReadUInt16BigEndian(body);
        if (2 + withdrawnLength + 2 > body.Length)
        {
            error = BgpError.Update(ErrorSubcodes.MalformedAttributeList, ErrorAction.SessionReset, $"withdrawn routes length {withdrawnLength} overruns the message");
            return null;
        }

        int attributesLength = BinaryPrimitives.ReadUInt16BigEndian(body[(2 + withdrawnLength)..]);
        if (2 + withdrawnLength + 2 + attributesLength > body.Length)
        {
            error = BgpError.Update(ErrorSubcodes.MalformedAttributeList, ErrorAction.SessionReset, $"total path attribute length {attributesLength} overruns the message");
            return null;
        }

        if (!NlriCodec.TryRead(body.Slice(2, withdrawnLength), false, options.AddPathIPv4, out var withdrawn, out var problem))
        {
            error = BgpError.Update(ErrorSubcodes.InvalidNetworkField, ErrorAction.SessionReset, $"withdrawn routes: {problem}");
            return null;
        }

        if (!NlriCodec.TryRead(body[(4 + withdrawnLength + attributesLength)..], false, options.AddPathIPv4, out var nlri, out problem))
        {
            error = BgpError.Update(ErrorSubcodes.InvalidNetworkField, ErrorAction.SessionReset, $"NLRI: {problem}");
            return null;
        }

        var attributes = body.Slice(4 + withdrawnLength, attributesLength);
        var reader = new AttributeReader();
        BgpError? treatAsWithdraw = null;
        List<BgpError>? discarded = null;
        Span<bool> seen = stackalloc bool[256];
        var attributeCount = 0;

        while (!attributes.IsEmpty)
        {
            if (attributes.Length < 3)
            {
                treatAsWithdraw ??= BgpError.Update(ErrorSubcodes.AttributeLengthError, ErrorAction.TreatAsWithdraw, "truncated attribute header");
                break;
            }

            var flags = (AttributeFlags)attributes[0];
            var type = attributes[1];
            var extended = (flags & AttributeFlags.ExtendedLength) != 0;
            var headerLength = extended ? 4 : 3;
            if (attributes.Length < headerLength)
            {
                treatAsWithdraw ??= BgpError.Update(ErrorSubcodes.AttributeLengthError, ErrorAction.TreatAsWithdraw, "truncated attribute header");
                break;
            }

            int length = extended ? BinaryPrimitives.ReadUInt16BigEndian(attributes[2..]) : attributes[2];
            if (attributes.Length < headerLength + length)
            {
                // RFC 7606 §4: the attribute overruns the attribute field. The NLRI field is still
                // located by the total length, but an MP_REACH after this point cannot be read, and
                // an overrunning MP_REACH/MP_UNREACH cannot be parsed: both need a reset (§2).
                var whole = attributes;
                var reason = $"attribute type {type} of length {length} overruns the path attributes";
                if ((seen[AttributeType.MpReachNlri] || seen[AttributeType.MpUnreachNlri]) && type is not (AttributeType.MpReachNlri or AttributeType.MpUnreachNlri))
                {
                    treatAsWithdraw ??= BgpError.Update(ErrorSubcodes.AttributeLengthError, ErrorAction.TreatAsWithdraw, reason, whole);
                }
                else
                {
                    error = BgpError.Update(ErrorSubcodes.AttributeLengthError, ErrorAction.SessionReset, reason, whole);
                    return null;
                }

                break;
            }

            var value = attributes.Slice(headerLength, length);
            var entire = attributes[..(headerLength + length)];
            attributes = attributes[(headerLength + length)..];
            attributeCount++;

            var descriptor = AttributeTable.Get(type);
            if (seen[type])
            {
                // RFC 7606 §3 g: repeated MP_REACH/MP_UNREACH resets; other repeats are discarded.
                if (type is AttributeType.MpReachNlri or AttributeType.MpUnreachNlri)
                {
                    error = BgpError.Update(ErrorSubcodes.MalformedAttributeList, ErrorAction.SessionReset, $"{descriptor!.Name} appears twice");
                    return null;
                }

                (discarded ??= []).Add(BgpError.Update(ErrorSubcodes.MalformedAttributeList, ErrorAction.AttributeDiscard, $"attribute type {type} repeated", entire));
                continue;
            }

            seen[type] = true;
            if (descriptor is null)
            {
                if ((flags & AttributeFlags.Optional) == 0)
                {
                    error = BgpError.Update(ErrorSubcodes.UnrecognizedWellKnownAttribute, ErrorAction.SessionReset, $"unrecognized well-known attribute type {type}", entire);
                    return null;
                }

                if ((flags & AttributeFlags.Transitive) != 0)
                {
                    (reader.Unknown ??= []).Add(new RawAttribute((byte)(flags & ~AttributeFlags.ExtendedLength), type, value.ToArray()));
                }

                continue;
            }

            var flagsAgree = descriptor.FlagsAgree(flags);
            var lengthAgrees = descriptor.FixedLength < 0 || length == descriptor.FixedLength;
            var issue = !flagsAgree
                ? $"flags 0x{(byte)flags:x2} conflict with a{(descriptor.Optional ? "n optional" : " well-known")} {(descriptor.Transitive ? "transitive" : "non-transitive")} attribute"
                : !lengthAgrees
                    ? $"length {length} (expected {descriptor.FixedLength})"
                    : descriptor.Decode(value, options, reader);
            if (issue is null)
            {
                continue;
            }

            var subcode = !flagsAgree ? ErrorSubcodes.AttributeFlagsError : !lengthAgrees ? ErrorSubcodes.AttributeLengthError : descriptor.MalformedSubcode;
            var found = BgpError.Update(subcode, descriptor.OnMalformed, $"{descriptor.Name}: {issue}", entire);
            switch (descriptor.OnMalformed)
            {
                case ErrorAction.SessionReset:
                    error = found;
                    return null;
                case ErrorAction.TreatAsWithdraw:
                    treatAsWithdraw ??= found;
                    break;
                default:
                    // The decoders of discardable attributes set nothing unless the value is well formed.
                    (discarded ??= []).Add(found);
                    break;
            }
        }

        // RFC 7606 §3 d: missing well-known mandatory attributes make the routes treat-as-withdraw.
        var announces = nlri.Length > 0 || reader.MpReach is { Nlri.Count: > 0 };
        if (announces && treatAsWithdraw is null)
        {
            var missing = reader.Origin is null ? AttributeType.Origin
                : reader.AsPath is null ? AttributeType.AsPath
                : nlri.Length > 0 && reader.NextHop is null ? AttributeType.NextHop
                : (byte)0;
            if (missing != 0)
            {
                treatAsWithdraw = BgpError.Update(ErrorSubcodes.MissingWellKnownAttribute, ErrorAction.TreatAsWithdraw, $"missing {AttributeTable.Get(missing)!.Name}", [missing]);
            }
        }

        var hasPathAttributes = attributeCount > (reader.MpReach is null ? 0 : 1) + (reader.MpUnreach is null ? 0 : 1);
        return new UpdateMessage(withdrawn, hasPathAttributes || reader.MpReach is not null ? reader.Build(options) : null, nlri, reader.MpReach, reader.MpUnreach)
        {
            TreatAsWithdraw = treatAsWithdraw,
            Discarded = discarded ?? (IReadOnlyList<BgpError>)[],
        };
    }
}
