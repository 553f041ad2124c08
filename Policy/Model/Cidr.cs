using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Routing.Policy.Model;

/// <summary>An IPv4 or IPv6 prefix, e.g. 10.0.0.0/8, with its host bits cleared.</summary>
public readonly record struct Cidr
{
    private Cidr(IPAddress network, int length)
    {
        Network = network;
        Length = length;
    }

    public IPAddress Network { get; }

    public int Length { get; }

    public AddressFamily Family => Network.AddressFamily;

    /// <summary>
    /// Parses ADDRESS/LENGTH. Like Kubernetes' validation (<c>ValidateCIDR</c> for ipBlock), the
    /// address may carry host bits: they are cleared, as the API server's network parser does.
    /// </summary>
    public static bool TryParse(string? text, out Cidr cidr)
    {
        cidr = default;
        if (text is null)
        {
            return false;
        }

        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || !IPAddress.TryParse(text.AsSpan(0, slash), out var address) || text.Contains('%', StringComparison.Ordinal)
            || !int.TryParse(text.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var length))
        {
            return false;
        }

        // IPAddress also reads inet_aton's short forms ("10.0.0"); Kubernetes does not.
        var bits = address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        if (length > bits || (bits == 32 && text.AsSpan(0, slash).Count('.') != 3))
        {
            return false;
        }

        cidr = new Cidr(Mask(address, length), length);
        return true;
    }

    public static Cidr Parse(string text) =>
        TryParse(text, out var cidr) ? cidr : throw new FormatException($"\"{text}\" is not a CIDR (ADDRESS/LENGTH, e.g. 10.0.0.0/24)");

    /// <summary>The /32 or /128 of one address.</summary>
    public static Cidr Host(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return new Cidr(address, address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128);
    }

    public bool Contains(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return address.AddressFamily == Family && Mask(address, Length).Equals(Network);
    }

    /// <summary>True when every address of <paramref name="other"/> is in this prefix.</summary>
    public bool Contains(Cidr other) => other.Family == Family && other.Length >= Length && Contains(other.Network);

    private static IPAddress Mask(IPAddress address, int length)
    {
        var bytes = address.GetAddressBytes();
        for (var i = 0; i < bytes.Length; i++)
        {
            var keep = Math.Clamp(length - (i * 8), 0, 8);
            bytes[i] &= (byte)(0xFF << (8 - keep));
        }

        return new IPAddress(bytes);
    }

    public override string ToString() => $"{Network}/{Length.ToString(CultureInfo.InvariantCulture)}";
}
