using System.Net;

namespace Routing.Agent.Dns.Server;

/// <summary>The upstream resolvers of a node: the <c>nameserver</c> lines of its resolv.conf (resolv.conf(5)), on port 53.</summary>
public static class ResolvConf
{
    public const string DefaultPath = "/etc/resolv.conf";

    /// <summary>The name servers in <paramref name="text"/>, in order, without <paramref name="exclude"/> (the cluster DNS itself: forwarding to it would loop).</summary>
    public static IReadOnlyList<IPEndPoint> Parse(string text, IPAddress? exclude = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        var servers = new List<IPEndPoint>();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            var fields = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 2 || fields[0] != "nameserver")
            {
                continue;
            }

            // A scope (fe80::1%eth0) is kept by IPAddress.TryParse.
            if (IPAddress.TryParse(fields[1], out var address) && !address.Equals(exclude))
            {
                servers.Add(new IPEndPoint(address, 53));
            }
        }

        return servers;
    }

    public static IReadOnlyList<IPEndPoint> Read(string path, IPAddress? exclude = null) =>
        File.Exists(path) ? Parse(File.ReadAllText(path), exclude) : [];
}
