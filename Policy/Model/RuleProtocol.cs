using System.Globalization;

namespace Routing.Policy.Model;

/// <summary>A rule's <c>protocol</c>: a name (TCP, UDP, SCTP, ICMP, ICMPv6, UDPLite) or an IP protocol number 1–255.</summary>
public readonly record struct RuleProtocol(int Number)
{
    public static RuleProtocol Tcp => new(6);

    public static RuleProtocol Udp => new(17);

    public static RuleProtocol Sctp => new(132);

    /// <summary>True for the protocols with ports (TCP, UDP, SCTP).</summary>
    public bool HasPorts => Number is 6 or 17 or 132;

    /// <summary>iptables' <c>-p</c> value.</summary>
    public string KernelName => Number switch
    {
        6 => "tcp",
        17 => "udp",
        132 => "sctp",
        1 => "icmp",
        58 => "ipv6-icmp",
        136 => "udplite",
        _ => Number.ToString(CultureInfo.InvariantCulture),
    };

    public static RuleProtocol Of(PolicyProtocol protocol) => protocol switch
    {
        PolicyProtocol.Tcp => Tcp,
        PolicyProtocol.Udp => Udp,
        _ => Sctp,
    };

    /// <summary>Reads a name (any case) or a number; false for anything else.</summary>
    public static bool TryParse(string? text, out RuleProtocol protocol)
    {
        protocol = default;
        var number = text?.ToUpperInvariant() switch
        {
            "TCP" => 6,
            "UDP" => 17,
            "SCTP" => 132,
            "ICMP" => 1,
            "ICMPV6" => 58,
            "UDPLITE" => 136,
            _ => int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= 255 ? n : 0,
        };
        if (number == 0)
        {
            return false;
        }

        protocol = new RuleProtocol(number);
        return true;
    }

    public override string ToString() => Number switch
    {
        6 => "TCP",
        17 => "UDP",
        132 => "SCTP",
        1 => "ICMP",
        58 => "ICMPv6",
        136 => "UDPLite",
        _ => Number.ToString(CultureInfo.InvariantCulture),
    };
}
