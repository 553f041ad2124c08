using System.Net;
using System.Net.Sockets;

namespace Routing.Dataplane.Addresses;

/// <summary>An address on an interface (RTM_NEWADDR): the address with its prefix length, scope and IFA_F_* flags.</summary>
public sealed record InterfaceAddress(int InterfaceIndex, IPAddress Address, int PrefixLength)
{
    /// <summary>RT_SCOPE_*: 0 universe (global), 253 link, 254 host.</summary>
    public byte Scope { get; init; }

    /// <summary>IFA_F_* (IFA_FLAGS): <see cref="AddressFlags"/>.</summary>
    public uint Flags { get; init; }

    /// <summary>IFA_LABEL (IPv4 only), e.g. "eth0:1".</summary>
    public string? Label { get; init; }

    public bool IsIPv6 => Address.AddressFamily == AddressFamily.InterNetworkV6;

    /// <summary>Parses "10.0.0.1/24".</summary>
    public static InterfaceAddress Parse(int interfaceIndex, string cidr)
    {
        ArgumentNullException.ThrowIfNull(cidr);
        var slash = cidr.IndexOf('/', StringComparison.Ordinal);
        var address = IPAddress.Parse(slash < 0 ? cidr : cidr[..slash]);
        var length = slash < 0 ? (address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128) : int.Parse(cidr[(slash + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        return new InterfaceAddress(interfaceIndex, address, length);
    }

    public override string ToString() => $"{Address}/{PrefixLength} dev #{InterfaceIndex}";
}

/// <summary>IFA_F_* (linux/if_addr.h).</summary>
public static class AddressFlags
{
    public const uint Secondary = 0x01;
    public const uint NoDad = 0x02;
    public const uint Tentative = 0x40;
    public const uint Permanent = 0x80;
    public const uint NoPrefixRoute = 0x200;
}
