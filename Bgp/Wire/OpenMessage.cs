using System.Buffers.Binary;
using System.Net;
using Routing.Bgp.Wire.Capabilities;

namespace Routing.Bgp.Wire;

/// <summary>
/// OPEN, RFC 4271 §4.2, with capabilities as optional parameters (RFC 5492) and the extended
/// optional parameters length of RFC 9072:
/// <code>
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+
/// |    Version    |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |     My Autonomous System      |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |           Hold Time           |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                         BGP Identifier                        |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// | Opt Parm Len  |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |             Optional Parameters (variable)                    |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// </code>
/// </summary>
public sealed class OpenMessage : BgpMessage
{
    public const byte BgpVersion = 4;

    /// <summary>AS_TRANS, RFC 6793: what a 4-octet AS puts in 2-octet fields.</summary>
    public const ushort AsTrans = 23456;

    private const byte CapabilitiesParameter = 2;

    public OpenMessage(uint asn, ushort holdTime, uint bgpIdentifier, IReadOnlyList<Capability> capabilities)
    {
        MyAutonomousSystem = asn > ushort.MaxValue ? AsTrans : (ushort)asn;
        HoldTime = holdTime;
        BgpIdentifier = bgpIdentifier;
        Capabilities = capabilities;
    }

    public override BgpMessageType Type => BgpMessageType.Open;

    /// <summary>The 2-octet "My Autonomous System" field (AS_TRANS for a 4-octet AS).</summary>
    public ushort MyAutonomousSystem { get; }

    public ushort HoldTime { get; }

    public uint BgpIdentifier { get; }

    public IReadOnlyList<Capability> Capabilities { get; }

    /// <summary>The speaker's AS: from the 4-octet AS capability when present (RFC 6793 §4.1).</summary>
    public uint AsNumber => Capability<FourOctetAsCapability>()?.Asn ?? MyAutonomousSystem;

    public IPAddress RouterId => new(BinaryPrimitives.ReverseEndianness(BgpIdentifier));

    public T? Capability<T>()
        where T : Capability =>
        Capabilities.OfType<T>().FirstOrDefault();

    /// <summary>Families announced with the multiprotocol capability; IPv4 unicast alone when there is none (RFC 4760 §8).</summary>
    public IReadOnlyList<AfiSafi> Families
    {
        get
        {
            var families = Capabilities.OfType<MultiprotocolCapability>().Select(c => c.Family).Distinct().ToArray();
            return families.Length > 0 ? families : [AfiSafi.Ipv4Unicast];
        }
    }

    internal static OpenMessage? Decode(ReadOnlySpan<byte> body, out BgpError? error)
    {
        error = null;
        if (body[0] != BgpVersion)
        {
            error = BgpError.Open(ErrorSubcodes.UnsupportedVersionNumber, $"BGP version {body[0]}; this speaker supports 4", [0, BgpVersion]);
            return null;
        }

        var myAs = BinaryPrimitives.ReadUInt16BigEndian(body[1..]);
        var holdTime = BinaryPrimitives.ReadUInt16BigEndian(body[3..]);
        var identifier = BinaryPrimitives.ReadUInt32BigEndian(body[5..]);
        int parametersLength = body[9];
        var rest = body[10..];
        var extended = false;

        // RFC 9072: Opt Parm Len 255 followed by a Non-Ext OP Type of 255 means 2-octet lengths follow.
        if (parametersLength == 255 && rest.Length >= 3 && rest[0] == 255)
        {
            extended = true;
            parametersLength = BinaryPrimitives.ReadUInt16BigEndian(rest[1..]);
            rest = rest[3..];
        }

        if (parametersLength != rest.Length)
        {
            error = BgpError.Open(0, $"optional parameters length {parametersLength} but {rest.Length} bytes follow");
            return null;
        }

        if (holdTime is 1 or 2)
        {
            error = BgpError.Open(ErrorSubcodes.UnacceptableHoldTime, $"hold time {holdTime} s (must be 0 or at least 3)");
            return null;
        }

        if (identifier == 0)
        {
            error = BgpError.Open(ErrorSubcodes.BadBgpIdentifier, "BGP identifier 0.0.0.0", body.Slice(5, 4));
            return null;
        }

        var capabilities = new List<Capability>();
        var headerLength = extended ? 3 : 2;
        while (!rest.IsEmpty)
        {
            if (rest.Length < headerLength)
            {
                error = BgpError.Open(0, "truncated optional parameter");
                return null;
            }

            var type = rest[0];
            int length = extended ? BinaryPrimitives.ReadUInt16BigEndian(rest[1..]) : rest[1];
            if (rest.Length < headerLength + length)
            {
                error = BgpError.Open(0, $"optional parameter of length {length} overruns the message");
                return null;
            }

            var value = rest.Slice(headerLength, length);
            rest = rest[(headerLength + length)..];
            if (type != CapabilitiesParameter)
            {
                error = BgpError.Open(ErrorSubcodes.UnsupportedOptionalParameter, $"optional parameter type {type}");
                return null;
            }

            while (!value.IsEmpty)
            {
                if (value.Length < 2 || value.Length < 2 + value[1])
                {
                    error = BgpError.Open(0, "truncated capability");
                    return null;
                }

                var code = value[0];
                var capability = CapabilityTable.Decode(code, value.Slice(2, value[1]));
                if (capability is null)
                {
                    error = BgpError.Open(0, $"malformed {CapabilityTable.Name(code)} capability", value[..(2 + value[1])]);
                    return null;
                }

                capabilities.Add(capability);
                value = value[(2 + value[1])..];
            }
        }

        return new OpenMessage(myAs, holdTime, identifier, capabilities);
    }

    protected override int WriteBody(Span<byte> destination, in SessionOptions options)
    {
        destination[0] = BgpVersion;
        BinaryPrimitives.WriteUInt16BigEndian(destination[1..], MyAutonomousSystem);
        BinaryPrimitives.WriteUInt16BigEndian(destination[3..], HoldTime);
        BinaryPrimitives.WriteUInt32BigEndian(destination[5..], BgpIdentifier);

        // One Capabilities parameter holding every capability.
        var offset = 12;
        foreach (var capability in Capabilities)
        {
            destination[offset] = capability.Code;
            destination[offset + 1] = (byte)capability.ValueLength;
            capability.WriteValue(destination.Slice(offset + 2, capability.ValueLength));
            offset += 2 + capability.ValueLength;
        }

        var parameterLength = offset - 12;
        if (parameterLength > 253)
        {
            throw new InvalidOperationException($"capabilities take {parameterLength} bytes; more than an OPEN parameter holds");
        }

        destination[9] = (byte)(parameterLength == 0 ? 0 : parameterLength + 2);
        if (parameterLength == 0)
        {
            return 10;
        }

        destination[10] = CapabilitiesParameter;
        destination[11] = (byte)parameterLength;
        return offset;
    }

    public override string ToString() =>
        $"OPEN as {AsNumber} hold {HoldTime} id {RouterId} caps [{string.Join(", ", Capabilities.Select(c => CapabilityTable.Name(c.Code)))}]";
}
