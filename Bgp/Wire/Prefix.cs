using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Sockets;

namespace Routing.Bgp.Wire;

/// <summary>
/// An IPv4 or IPv6 prefix with its host bits cleared: a value type of 18 bytes, cheap to hash and
/// compare, so RIBs of a million prefixes hold no address objects.
/// </summary>
public readonly struct Prefix : IEquatable<Prefix>, IComparable<Prefix>, ISpanFormattable
{
    // IPv4 addresses live in the low 32 bits; IPv6 addresses use all 128.
    private readonly UInt128 bits;

    private Prefix(UInt128 bits, byte length, bool isIPv6)
    {
        this.bits = bits & Mask(length, isIPv6);
        Length = length;
        IsIPv6 = isIPv6;
    }

    public byte Length { get; }

    public bool IsIPv6 { get; }

    public AfiSafi Family => IsIPv6 ? AfiSafi.Ipv6Unicast : AfiSafi.Ipv4Unicast;

    /// <summary>Bits in an address of this family: 32 or 128.</summary>
    public int MaxLength => IsIPv6 ? 128 : 32;

    public IPAddress Address
    {
        get
        {
            Span<byte> bytes = stackalloc byte[16];
            if (IsIPv6)
            {
                BinaryPrimitives.WriteUInt128BigEndian(bytes, bits);
                return new IPAddress(bytes);
            }

            BinaryPrimitives.WriteUInt32BigEndian(bytes, (uint)bits);
            return new IPAddress(bytes[..4]);
        }
    }

    public static Prefix IPv4(uint address, int length) =>
        length is < 0 or > 32 ? throw new ArgumentOutOfRangeException(nameof(length)) : new(address, (byte)length, false);

    public static Prefix IPv6(UInt128 address, int length) =>
        length is < 0 or > 128 ? throw new ArgumentOutOfRangeException(nameof(length)) : new(address, (byte)length, true);

    public static Prefix Create(IPAddress address, int length)
    {
        ArgumentNullException.ThrowIfNull(address);
        Span<byte> bytes = stackalloc byte[16];
        if (!address.TryWriteBytes(bytes, out var written))
        {
            throw new ArgumentException("unwritable address", nameof(address));
        }

        return address.AddressFamily == AddressFamily.InterNetworkV6
            ? IPv6(BinaryPrimitives.ReadUInt128BigEndian(bytes), length)
            : IPv4(BinaryPrimitives.ReadUInt32BigEndian(bytes[..written]), length);
    }

    /// <summary>Reads the NLRI encoding of RFC 4271 §4.3: the address bytes that <paramref name="length"/> covers.</summary>
    public static Prefix FromNlri(ReadOnlySpan<byte> addressBytes, int length, bool isIPv6)
    {
        Span<byte> full = stackalloc byte[16];
        full.Clear();
        addressBytes.CopyTo(full);
        return isIPv6
            ? new Prefix(BinaryPrimitives.ReadUInt128BigEndian(full), (byte)length, true)
            : new Prefix(BinaryPrimitives.ReadUInt32BigEndian(full), (byte)length, false);
    }

    /// <summary>Writes the address bytes of the NLRI encoding (ceil(Length/8) bytes); returns the count.</summary>
    public int WriteNlriBytes(Span<byte> destination)
    {
        var count = (Length + 7) / 8;
        Span<byte> full = stackalloc byte[16];
        if (IsIPv6)
        {
            BinaryPrimitives.WriteUInt128BigEndian(full, bits);
        }
        else
        {
            BinaryPrimitives.WriteUInt32BigEndian(full, (uint)bits);
        }

        full[..count].CopyTo(destination);
        return count;
    }

    public static Prefix Parse(string text) =>
        TryParse(text, out var prefix) ? prefix : throw new FormatException($"'{text}' is not a prefix (expected address/length)");

    public static bool TryParse([NotNullWhen(true)] string? text, out Prefix prefix)
    {
        prefix = default;
        if (text is null)
        {
            return false;
        }

        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (!IPAddress.TryParse(slash < 0 ? text : text[..slash], out var address))
        {
            return false;
        }

        var max = address.AddressFamily == AddressFamily.InterNetworkV6 ? 128 : 32;
        var length = max;
        if (slash >= 0 && (!int.TryParse(text.AsSpan(slash + 1), System.Globalization.NumberStyles.None, null, out length) || length > max))
        {
            return false;
        }

        prefix = Create(address, length);
        return true;
    }

    public bool Contains(Prefix other) =>
        other.IsIPv6 == IsIPv6 && other.Length >= Length && (other.bits & Mask(Length, IsIPv6)) == bits;

    private static UInt128 Mask(int length, bool isIPv6)
    {
        var width = isIPv6 ? 128 : 32;
        if (length == 0)
        {
            return UInt128.Zero;
        }

        var all = isIPv6 ? UInt128.MaxValue : uint.MaxValue;
        return (all << (width - length)) & all;
    }

    public bool Equals(Prefix other) => bits == other.bits && Length == other.Length && IsIPv6 == other.IsIPv6;

    public override bool Equals(object? obj) => obj is Prefix other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(bits, Length, IsIPv6);

    public int CompareTo(Prefix other)
    {
        var c = IsIPv6.CompareTo(other.IsIPv6);
        if (c != 0)
        {
            return c;
        }

        c = bits.CompareTo(other.bits);
        return c != 0 ? c : Length.CompareTo(other.Length);
    }

    public static bool operator ==(Prefix left, Prefix right) => left.Equals(right);

    public static bool operator !=(Prefix left, Prefix right) => !left.Equals(right);

    public static bool operator <(Prefix left, Prefix right) => left.CompareTo(right) < 0;

    public static bool operator >(Prefix left, Prefix right) => left.CompareTo(right) > 0;

    public static bool operator <=(Prefix left, Prefix right) => left.CompareTo(right) <= 0;

    public static bool operator >=(Prefix left, Prefix right) => left.CompareTo(right) >= 0;

    public override string ToString() => $"{Address}/{Length}";

    public string ToString(string? format, IFormatProvider? formatProvider) => ToString();

    public bool TryFormat(Span<char> destination, out int charsWritten, ReadOnlySpan<char> format, IFormatProvider? provider) =>
        destination.TryWrite(provider, $"{Address}/{Length}", out charsWritten);
}
