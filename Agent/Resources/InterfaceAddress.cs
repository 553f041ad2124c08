using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Sockets;
using Routing.Bgp.Wire;

namespace Routing.Agent.Resources;

/// <summary>
/// An address with the length of the subnet it sits on, written in CIDR form like an interface
/// address (<c>10.0.0.1/24</c>): unlike a <see cref="Prefix"/>, the host bits are kept.
/// </summary>
public readonly record struct InterfaceAddress
{
    public InterfaceAddress(IPAddress address, int prefixLength)
    {
        ArgumentNullException.ThrowIfNull(address);
        var max = address.AddressFamily == AddressFamily.InterNetworkV6 ? 128 : 32;
        ArgumentOutOfRangeException.ThrowIfNegative(prefixLength);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(prefixLength, max);
        Address = address;
        PrefixLength = prefixLength;
    }

    public IPAddress Address { get; }

    public int PrefixLength { get; }

    public bool IsIPv6 => Address.AddressFamily == AddressFamily.InterNetworkV6;

    /// <summary>The subnet the address is on: <c>10.0.0.0/24</c> for <c>10.0.0.1/24</c>.</summary>
    public Prefix Network => Prefix.Create(Address, PrefixLength);

    /// <summary>Parses <c>address/length</c>; the length is required and the address is written strictly (no <c>10.1</c>).</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, out InterfaceAddress value)
    {
        value = default;
        var slash = text?.IndexOf('/', StringComparison.Ordinal) ?? -1;
        if (slash < 0 || !FieldSyntax.TryParseAddress(text![..slash], out var address) ||
            !FieldSyntax.TryParsePrefixLength(text.AsSpan(slash + 1), address, out var length))
        {
            return false;
        }

        value = new InterfaceAddress(address, length);
        return true;
    }

    public static InterfaceAddress Parse(string text) =>
        TryParse(text, out var value) ? value : throw new FormatException($"'{text}' is not an address in CIDR form (e.g. 10.0.0.1/24)");

    public override string ToString() => $"{Address}/{PrefixLength}";
}
