using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Routing.Ipam.Addresses;

/// <summary>
/// Address arithmetic over pools and blocks. Addresses are numbers (IPv4 in the low 32 bits of a
/// <see cref="UInt128"/>), so the same code serves both families.
/// </summary>
public static class BlockCidr
{
    /// <summary>Bits in an address of the family: 32 or 128.</summary>
    public static int AddressBits(AddressFamily family) => family == AddressFamily.InterNetwork ? 32 : 128;

    /// <summary>The address as an unsigned number.</summary>
    public static UInt128 ToNumber(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out var written);
        return written == 4
            ? BinaryPrimitives.ReadUInt32BigEndian(bytes)
            : BinaryPrimitives.ReadUInt128BigEndian(bytes);
    }

    /// <summary>The address of a number in the family.</summary>
    public static IPAddress FromNumber(UInt128 number, AddressFamily family)
    {
        if (family == AddressFamily.InterNetwork)
        {
            Span<byte> four = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(four, (uint)number);
            return new IPAddress(four);
        }

        Span<byte> sixteen = stackalloc byte[16];
        BinaryPrimitives.WriteUInt128BigEndian(sixteen, number);
        return new IPAddress(sixteen);
    }

    /// <summary>How many addresses the block holds (blocks are at most 4096 addresses; see <c>IPPoolValidator</c>).</summary>
    public static int Size(IPNetwork block) => 1 << (AddressBits(block.BaseAddress.AddressFamily) - block.PrefixLength);

    /// <summary>The position of <paramref name="address"/> in <paramref name="block"/>; the caller checks it is inside.</summary>
    public static int Ordinal(IPNetwork block, IPAddress address) =>
        (int)(ToNumber(address) - ToNumber(block.BaseAddress));

    /// <summary>The address at <paramref name="ordinal"/> in the block.</summary>
    public static IPAddress AddressAt(IPNetwork block, int ordinal) =>
        FromNumber(ToNumber(block.BaseAddress) + (UInt128)ordinal, block.BaseAddress.AddressFamily);

    /// <summary>The block of <paramref name="blockSize"/> that holds <paramref name="address"/>.</summary>
    public static IPNetwork BlockOf(IPAddress address, int blockSize)
    {
        var bits = AddressBits(address.AddressFamily);
        var mask = blockSize == 0 ? UInt128.Zero : UInt128.MaxValue << (128 - blockSize) >> (128 - bits);
        return new IPNetwork(FromNumber(ToNumber(address) & mask, address.AddressFamily), blockSize);
    }

    /// <summary>How many blocks of <paramref name="blockSize"/> the pool holds (saturates at <see cref="UInt128.MaxValue"/>).</summary>
    public static UInt128 BlockCount(IPNetwork pool, int blockSize)
    {
        var shift = blockSize - pool.PrefixLength;
        return shift >= 128 ? UInt128.MaxValue : UInt128.One << shift;
    }

    /// <summary>The <paramref name="index"/>th block of <paramref name="blockSize"/> in the pool.</summary>
    public static IPNetwork BlockAt(IPNetwork pool, int blockSize, UInt128 index)
    {
        var family = pool.BaseAddress.AddressFamily;
        var step = UInt128.One << (AddressBits(family) - blockSize);
        return new IPNetwork(FromNumber(ToNumber(pool.BaseAddress) + (index * step), family), blockSize);
    }

    /// <summary>
    /// The block's name as a store key, Calico's way: the CIDR with '.', ':' and '/' as '-'
    /// ("10.0.0.0/26" → "10-0-0-0-26"), a name Kubernetes accepts.
    /// </summary>
    public static string NameOf(IPNetwork block) =>
        block.ToString().Replace('.', '-').Replace(':', '-').Replace('/', '-');

    /// <summary>Parses "10.0.0.0/26" or a bare address (a /32 or /128); false for anything else, host bits included.</summary>
    public static bool TryParse(string? text, out IPNetwork network)
    {
        network = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var slash = text.IndexOf('/', StringComparison.Ordinal);
        var addressText = slash < 0 ? text : text[..slash];
        if (!IPAddress.TryParse(addressText, out var address) || (address.AddressFamily == AddressFamily.InterNetworkV6 && address.ScopeId != 0))
        {
            return false;
        }

        var bits = AddressBits(address.AddressFamily);
        var prefix = bits;
        if (slash >= 0 && (!int.TryParse(text.AsSpan(slash + 1), System.Globalization.NumberStyles.None, null, out prefix) || prefix > bits))
        {
            return false;
        }

        if (!BlockOf(address, prefix).BaseAddress.Equals(address))
        {
            return false;
        }

        network = new IPNetwork(address, prefix);
        return true;
    }

    /// <summary>True when the two networks share any address.</summary>
    public static bool Overlap(IPNetwork a, IPNetwork b) =>
        a.BaseAddress.AddressFamily == b.BaseAddress.AddressFamily && (a.Contains(b.BaseAddress) || b.Contains(a.BaseAddress));
}
