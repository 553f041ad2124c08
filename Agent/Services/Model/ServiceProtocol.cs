namespace Routing.Agent.Services.Model;

/// <summary>The transport protocols a Service port may name (<c>spec.ports[].protocol</c>).</summary>
public enum ServiceProtocol
{
    Tcp,
    Udp,
    Sctp,
}

public static class ServiceProtocols
{
    /// <summary>TCP, UDP or SCTP as Kubernetes spells them (case-insensitive); TCP when absent.</summary>
    public static bool TryParse(string? text, out ServiceProtocol protocol)
    {
        switch (text?.ToUpperInvariant())
        {
            case null or "" or "TCP":
                protocol = ServiceProtocol.Tcp;
                return true;
            case "UDP":
                protocol = ServiceProtocol.Udp;
                return true;
            case "SCTP":
                protocol = ServiceProtocol.Sctp;
                return true;
            default:
                protocol = ServiceProtocol.Tcp;
                return false;
        }
    }

    /// <summary>The name iptables' <c>-p</c> and <c>-m</c> take.</summary>
    public static string IptablesName(this ServiceProtocol protocol) => protocol switch
    {
        ServiceProtocol.Udp => "udp",
        ServiceProtocol.Sctp => "sctp",
        _ => "tcp",
    };
}
