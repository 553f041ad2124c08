using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Routing.Cni.Results;

/// <summary>
/// An address with a prefix length, host bits kept: a CNI result's "10.244.1.7/24" is an
/// interface address, which <see cref="IPNetwork"/> would refuse.
/// </summary>
internal readonly record struct IpCidr(IPAddress Address, int PrefixLength)
{
    public bool IsIPv4 => Address.AddressFamily == AddressFamily.InterNetwork;

    /// <summary>The address alone as a host route (/32 or /128).</summary>
    public static IpCidr Host(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return new(address, address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128);
    }

    public static IpCidr Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0 || !IPAddress.TryParse(text.AsSpan(0, slash), out var address)
            || !int.TryParse(text.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var length)
            || length > (address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128))
        {
            throw new FormatException($"\"{text}\" is not ADDRESS/PREFIX-LENGTH");
        }

        return new(address, length);
    }

    public override string ToString() => $"{Address}/{PrefixLength.ToString(CultureInfo.InvariantCulture)}";
}
