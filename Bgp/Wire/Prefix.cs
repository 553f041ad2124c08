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
    // The address as two halves, not one UInt128: UInt128 is 16-byte aligned, which made a Prefix
    // 32 bytes and an Nlri 48; this way they are 24 and 32. IPv4 lives in the low 32 bits of lower.
    private readonly ulong upper;
    private readonly ulong lower;

    private Prefix(UInt128 bits, byte length, bool isIPv6)
    {
        bits &= Mask(length, isIPv6);
        upper = (ulong)(bits >> 64);
        lower = (ulong)bits;
        Length = length;
        IsIPv6 = isIPv6;
    }

    // IPv6 from its halves, without UInt128 (ReadyToRun leaves code with a UInt128 local to the JIT).
    private Prefix(ulong upper, ulong lower, byte length)
    {
        this.upper = length >= 64 ? upper : length == 0 ? 0 : upper & (ulong.MaxValue << (64 - length));
        this.lower = length <= 64 ? 0 : lower & (ulong.MaxValue << (128 - length));
        Length = length;
        IsIPv6 = true;
    }

    // IPv4 without UInt128 arithmetic: NLRI decoding builds hundreds of these per UPDATE.
    private Prefix(uint address, byte length)
    {
        lower = length == 0 ? 0 : address & (uint.MaxValue << (32 - length));
        Length = length;
    }

    public byte Length { get; }

    public bool IsIPv6 { get; }

    public AfiSafi Family => IsIPv6 ? AfiSafi.Ipv6Unicast : AfiSafi.Ipv4Unicast;

    /// <summary>Bits in an address of this family: 32 or 128.</summary>
    public int MaxLength => IsIPv6 ? 128 : 32;

    private UInt128 Bits => new(upper, lower);

    /// <summary>The address's upper 64 bits (IPv6 only; 0 for IPv4): for tables that store prefixes inline.</summary>
    internal ulong High => upper;

    /// <summary>The address's lower 64 bits; an IPv4 address in the low 32.</summary>
    internal ulong Low => lower;

    public IPAddress Address
    {
        get
        {
            Span<byte> bytes = stackalloc byte[16];
            if (IsIPv6)
            {
                BinaryPrimitives.WriteUInt128BigEndian(bytes, Bits);
                return new IPAddress(bytes);
            }

            BinaryPrimitives.WriteUInt32BigEndian(bytes, (uint)lower);
            return new IPAddress(bytes[..4]);
        }
    }

    public static Prefix IPv4(uint address, int length) =>
        length is < 0 or > 32 ? throw new ArgumentOutOfRangeException(nameof(length)) : new(address, (byte)length);

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
        if (addressBytes.Length > (isIPv6 ? 16 : 4) || length < 0 || length > (isIPv6 ? 128 : 32))
        {
            return FromNlriPadded(addressBytes, length, isIPv6);
        }

        // The covering bytes, left-aligned, gathered into the two halves with no scratch buffer: a
        // stackalloc here gives every call (hundreds per UPDATE) a stack frame that is zeroed and checked.
        ulong high = 0;
        ulong low = 0;
        for (var i = 0; i < addressBytes.Length; i++)
        {
            if (i < 8)
            {
                high |= (ulong)addressBytes[i] << (56 - (8 * i));
            }
            else
            {
                low |= (ulong)addressBytes[i] << (120 - (8 * i));
            }
        }

        return isIPv6 ? new Prefix(high, low, (byte)length) : new Prefix((uint)(high >> 32), (byte)length);
    }

    private static Prefix FromNlriPadded(ReadOnlySpan<byte> addressBytes, int length, bool isIPv6)
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
        if (destination.Length < count)
        {
            throw new ArgumentException("Destination is too short.", nameof(destination));
        }

        // Octet by octet from the halves, with no scratch buffer for the same reason as FromNlri.
        var high = IsIPv6 ? upper : lower << 32;
        for (var i = 0; i < count; i++)
        {
            destination[i] = (byte)(i < 8 ? high >> (56 - (8 * i)) : lower >> (120 - (8 * i)));
        }

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
        other.IsIPv6 == IsIPv6 && other.Length >= Length && (other.Bits & Mask(Length, IsIPv6)) == Bits;

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

    public bool Equals(Prefix other) => lower == other.lower && upper == other.upper && Length == other.Length && IsIPv6 == other.IsIPv6;

    public override bool Equals(object? obj) => obj is Prefix other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(Bits, Length, IsIPv6);

    public int CompareTo(Prefix other)
    {
        var c = IsIPv6.CompareTo(other.IsIPv6);
        if (c != 0)
        {
            return c;
        }

        c = Bits.CompareTo(other.Bits);
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
