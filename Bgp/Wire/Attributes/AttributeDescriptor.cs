namespace Routing.Bgp.Wire.Attributes;

/// <summary>Decodes one attribute's value into the reader; returns null when well-formed, else what is wrong.</summary>
internal delegate string? DecodeAttribute(ReadOnlySpan<byte> value, in SessionOptions options, AttributeReader reader);

/// <summary>Writes one attribute's value; returns the bytes written, or -1 when the attributes do not carry it.</summary>
internal delegate int EncodeAttribute(PathAttributes attributes, in SessionOptions options, Span<byte> destination);

/// <summary>
/// Everything the codec knows about one path attribute type (BIRD's <c>bgp_attr_table[]</c>): its
/// category flags, how to decode and encode it, and what RFC 7606 says to do when it is malformed.
/// </summary>
internal sealed record AttributeDescriptor(
    byte Type,
    string Name,
    bool Optional,
    bool Transitive,
    ErrorAction OnMalformed,
    byte MalformedSubcode,
    DecodeAttribute Decode,
    EncodeAttribute? Encode)
{
    /// <summary>The value length the type fixes, or -1; any other length is an Attribute Length Error (RFC 4271 §6.3).</summary>
    public int FixedLength { get; init; } = -1;

    public AttributeFlags Flags => (Optional ? AttributeFlags.Optional : 0) | (Transitive ? AttributeFlags.Transitive : 0);

    /// <summary>True if the Optional and Transitive bits match the attribute's category (RFC 7606 §3 c).</summary>
    public bool FlagsAgree(AttributeFlags flags) =>
        (flags & (AttributeFlags.Optional | AttributeFlags.Transitive)) == Flags &&
        ((flags & AttributeFlags.Partial) == 0 || (Optional && Transitive));
}
