using System.Net;
using Routing.Agent.Dns.Zone;

namespace Routing.Agent.Dns;

/// <summary>The agent's cluster DNS settings (<c>routing agent --dns-listen …</c>).</summary>
public sealed record DnsSettings
{
    public required IPEndPoint Listen { get; init; }

    public ZoneOptions Zone { get; init; } = new();

    /// <summary>The node's resolv.conf: its name servers answer names outside the cluster domain.</summary>
    public string ResolvConf { get; init; } = Server.ResolvConf.DefaultPath;

    /// <summary>Parses <c>ADDRESS[:PORT]</c> (<c>[v6]:PORT</c> for IPv6); port 53 when none is given.</summary>
    public static bool TryParseListen(string text, out IPEndPoint endPoint)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (IPAddress.TryParse(text, out var address))
        {
            endPoint = new IPEndPoint(address, 53);
            return true;
        }

        return IPEndPoint.TryParse(text, out endPoint!);
    }
}
