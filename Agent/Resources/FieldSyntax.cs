using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Routing.Bgp.Wire;

namespace Routing.Agent.Resources;

/// <summary>
/// The written forms of resource fields, read strictly: what Go's <c>net.ParseIP</c> and
/// Kubernetes' validation accept, not everything <see cref="IPAddress.TryParse(string?, out IPAddress?)"/> does
/// (<c>10.1</c>, <c>010.0.0.1</c> and <c>fe80::1%eth0</c> are not addresses here).
/// </summary>
internal static class FieldSyntax
{
    public const string AsNumberRange = "0 < AS ≤ 4294967295";

    public static bool TryParseAddress([NotNullWhen(true)] string? text, [NotNullWhen(true)] out IPAddress? address)
    {
        address = null;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        if (text.Contains(':', StringComparison.Ordinal))
        {
            return !text.Contains('%', StringComparison.Ordinal) &&
                IPAddress.TryParse(text, out address) && address.AddressFamily == AddressFamily.InterNetworkV6;
        }

        return TryParseIPv4(text, out address);
    }

    /// <summary>Four dotted decimal octets without leading zeros.</summary>
    public static bool TryParseIPv4([NotNullWhen(true)] string? text, [NotNullWhen(true)] out IPAddress? address)
    {
        address = null;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        var parts = text.Split('.');
        if (parts.Length != 4)
        {
            return false;
        }

        Span<byte> bytes = stackalloc byte[4];
        for (var i = 0; i < 4; i++)
        {
            var part = parts[i];
            if (part.Length is 0 or > 3 || (part.Length > 1 && part[0] == '0') ||
                !byte.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out bytes[i]))
            {
                return false;
            }
        }

        address = new IPAddress(bytes);
        return true;
    }

    public static bool TryParsePrefixLength(ReadOnlySpan<char> text, IPAddress address, out int length)
    {
        var max = address.AddressFamily == AddressFamily.InterNetworkV6 ? 128 : 32;
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out length) &&
            (text.Length == 1 || text[0] != '0') && length <= max;
    }

    /// <summary>A prefix in CIDR form; <paramref name="hostBitsSet"/> tells <c>10.1.0.1/16</c> apart from nonsense.</summary>
    public static bool TryParsePrefix([NotNullWhen(true)] string? text, out Prefix prefix, out bool hostBitsSet)
    {
        prefix = default;
        hostBitsSet = false;
        if (!InterfaceAddress.TryParse(text, out var cidr))
        {
            return false;
        }

        prefix = cidr.Network;
        hostBitsSet = !prefix.Address.Equals(cidr.Address);
        return !hostBitsSet;
    }

    public static bool TryParsePort(string text, out int port) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out port) && port is >= 1 and <= 65535 &&
        (text.Length == 1 || text[0] != '0');

    /// <summary>An AS number as plain digits, or in asdot notation (<c>65000.100</c>, RFC 5396) like Calico accepts.</summary>
    public static bool TryParseAsNumber(string text, out uint asn)
    {
        asn = 0;
        var dot = text.IndexOf('.', StringComparison.Ordinal);
        if (dot >= 0)
        {
            if (!ushort.TryParse(text.AsSpan(0, dot), NumberStyles.None, CultureInfo.InvariantCulture, out var high) ||
                !ushort.TryParse(text.AsSpan(dot + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var low))
            {
                return false;
            }

            asn = ((uint)high << 16) | low;
        }
        else if (!uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out asn))
        {
            return false;
        }

        return asn != 0;
    }

    /// <summary>A Kubernetes object name: a DNS-1123 subdomain.</summary>
    public static bool IsValidName(string name)
    {
        if (name.Length is 0 or > 253 || !IsAlphanumeric(name[0]) || !IsAlphanumeric(name[^1]))
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!IsAlphanumeric(c) && c is not '-' and not '.')
            {
                return false;
            }
        }

        return true;

        static bool IsAlphanumeric(char c) => char.IsAsciiDigit(c) || char.IsAsciiLetterLower(c);
    }

    public const string NameRule = "lowercase letters, digits, '-' and '.', starting and ending with a letter or digit, at most 253 characters";

    /// <summary>A value as it appears in a message: bare when that reads unambiguously, quoted otherwise.</summary>
    public static string Show(string value) =>
        value.Length == 0 || value.Any(char.IsWhiteSpace) || value.Contains('\'', StringComparison.Ordinal) ? $"\"{value}\"" : value;
}
