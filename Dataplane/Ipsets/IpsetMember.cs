using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Routing.Dataplane.Ipsets;

/// <summary>
/// Members in the one spelling <c>ipset save</c> prints them, so wanted and present members
/// compare as strings: an address as <see cref="IPAddress.ToString"/> writes it, a prefix with its
/// host bits cleared and without a full-length mask, a port as <c>PROTO:PORT</c>.
/// </summary>
public static class IpsetMember
{
    private static readonly string[] Protocols = ["tcp", "udp", "sctp", "udplite"];

    /// <summary>The canonical form of <paramref name="member"/>, or an exception that says what is wrong.</summary>
    public static string Normalize(IpsetType type, AddressFamily family, string member)
    {
        ArgumentNullException.ThrowIfNull(member);
        var text = member.Trim();
        return type switch
        {
            IpsetType.HashIp => Address(text, family, allowHostPrefix: true),
            IpsetType.HashNet => Network(text, family),
            IpsetType.HashIpPort => AddressAndPort(text, family),
            IpsetType.HashNetIface => NetworkAndInterface(text, family),
            _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
        };
    }

    private static string Address(string text, AddressFamily family, bool allowHostPrefix)
    {
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        var address = Parse(slash < 0 ? text : text[..slash], family, text);
        if (slash >= 0 && !(allowHostPrefix && int.TryParse(text[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var length) && length == Bits(family)))
        {
            throw new ArgumentException($"\"{text}\" is not a single address; a hash:ip set holds addresses, use hash:net for prefixes");
        }

        return address.ToString();
    }

    private static string Network(string text, AddressFamily family, int shortest = 1)
    {
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        var address = Parse(slash < 0 ? text : text[..slash], family, text);
        var bits = Bits(family);
        var length = bits;
        if (slash >= 0 && (!int.TryParse(text[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out length) || length < shortest || length > bits))
        {
            // ipset refuses /0 in hash:net (hash:net,iface takes it).
            throw new ArgumentException($"\"{text}\" has no valid prefix length ({shortest} to {bits})");
        }

        var bytes = address.GetAddressBytes();
        for (var i = 0; i < bytes.Length; i++)
        {
            var keep = Math.Clamp(length - (i * 8), 0, 8);
            bytes[i] &= (byte)(0xFF << (8 - keep));
        }

        var network = new IPAddress(bytes).ToString();
        return length == bits ? network : $"{network}/{length.ToString(CultureInfo.InvariantCulture)}";
    }

    private static string NetworkAndInterface(string text, AddressFamily family)
    {
        var comma = text.LastIndexOf(',');
        var name = comma < 0 ? string.Empty : text[(comma + 1)..];
        // IFNAMSIZ is 16 with the terminating NUL.
        if (name.Length is 0 or > 15 || name.Any(c => char.IsWhiteSpace(c) || c is '/' or ','))
        {
            throw new ArgumentException($"\"{text}\" needs an interface: PREFIX,INTERFACE (e.g. 0.0.0.0/0,cali1234)");
        }

        return $"{Network(text[..comma], family, shortest: 0)},{name}";
    }

    private static string AddressAndPort(string text, AddressFamily family)
    {
        var comma = text.LastIndexOf(',');
        if (comma < 0)
        {
            throw new ArgumentException($"\"{text}\" needs a port: ADDRESS,PORT or ADDRESS,PROTOCOL:PORT (e.g. 10.0.0.1,tcp:80)");
        }

        var address = Address(text[..comma], family, allowHostPrefix: false);
        var port = text[(comma + 1)..];
        var colon = port.IndexOf(':', StringComparison.Ordinal);
        var protocol = colon < 0 ? "tcp" : port[..colon].ToLowerInvariant();
        var number = colon < 0 ? port : port[(colon + 1)..];
        if (!Protocols.Contains(protocol) || !ushort.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
        {
            throw new ArgumentException($"\"{text}\" needs a port 0-65535 with protocol tcp, udp, sctp or udplite (e.g. 10.0.0.1,udp:53)");
        }

        return $"{address},{protocol}:{value.ToString(CultureInfo.InvariantCulture)}";
    }

    private static IPAddress Parse(string text, AddressFamily family, string member)
    {
        if (!IPAddress.TryParse(text, out var address) || text.Contains('%', StringComparison.Ordinal))
        {
            throw new ArgumentException($"\"{member}\" is not an IP address");
        }

        if (address.AddressFamily != family)
        {
            throw new ArgumentException($"\"{member}\" is not an {(family == AddressFamily.InterNetwork ? "IPv4" : "IPv6")} address, as this set's family requires");
        }

        return address;
    }

    private static int Bits(AddressFamily family) => family == AddressFamily.InterNetwork ? 32 : 128;
}
