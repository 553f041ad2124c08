namespace Routing.Policy.Model;

/// <summary>The protocols a NetworkPolicy port may name.</summary>
public enum PolicyProtocol
{
    Tcp,
    Udp,
    Sctp,
}

public static class PolicyProtocols
{
    /// <summary>Kubernetes' spelling: TCP, UDP, SCTP.</summary>
    public static string Name(this PolicyProtocol protocol) => protocol switch
    {
        PolicyProtocol.Tcp => "TCP",
        PolicyProtocol.Udp => "UDP",
        PolicyProtocol.Sctp => "SCTP",
        _ => throw new ArgumentOutOfRangeException(nameof(protocol), protocol, null),
    };

    /// <summary>iptables' and ipset's spelling: tcp, udp, sctp.</summary>
    public static string KernelName(this PolicyProtocol protocol) => protocol switch
    {
        PolicyProtocol.Tcp => "tcp",
        PolicyProtocol.Udp => "udp",
        PolicyProtocol.Sctp => "sctp",
        _ => throw new ArgumentOutOfRangeException(nameof(protocol), protocol, null),
    };

    public static bool TryParse(string? text, out PolicyProtocol protocol)
    {
        switch (text?.ToUpperInvariant())
        {
            case "TCP":
                protocol = PolicyProtocol.Tcp;
                return true;
            case "UDP":
                protocol = PolicyProtocol.Udp;
                return true;
            case "SCTP":
                protocol = PolicyProtocol.Sctp;
                return true;
            default:
                protocol = default;
                return false;
        }
    }
}
