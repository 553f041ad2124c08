using System.Security.Cryptography;
using System.Text;

namespace Routing.Agent.Services.Rules;

/// <summary>
/// The proxy's chain names: fixed ones, and per service port and per endpoint ones named by a hash
/// of what they stand for (as kube-proxy's KUBE-SVC-/KUBE-SEP- chains are), so that the same
/// service port always gets the same chain and a change to one service rewrites only its chains.
/// </summary>
public sealed class ServiceChainNames(string prefix)
{
    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

    /// <summary>nat: the entry from PREROUTING and OUTPUT; filter: rejects for services without endpoints.</summary>
    public string Services { get; } = prefix + "SERVICES";

    /// <summary>nat: node ports on this node's addresses; filter: health-check node ports accepted.</summary>
    public string NodePorts { get; } = prefix + "NODEPORTS";

    /// <summary>filter: external IPs and node ports of services without (local) endpoints.</summary>
    public string External { get; } = prefix + "EXTERNAL";

    public string MarkMasquerade { get; } = prefix + "MARK-MASQ";

    public string Postrouting { get; } = prefix + "POSTROUTING";

    /// <summary>Spread over every endpoint of a service port (cluster traffic).</summary>
    public string Cluster(string servicePort) => $"{prefix}SVC-{Hash(servicePort)}";

    /// <summary>Spread over this node's endpoints of a service port.</summary>
    public string Local(string servicePort) => $"{prefix}SVL-{Hash(servicePort)}";

    /// <summary>Traffic to a service port from outside (node port, external and load-balancer IPs).</summary>
    public string ExternalOf(string servicePort) => $"{prefix}EXT-{Hash(servicePort)}";

    /// <summary>One endpoint of a service port: the DNAT to it.</summary>
    public string Endpoint(string servicePort, string endpoint) => $"{prefix}SEP-{Hash(servicePort + "|" + endpoint)}";

    // 16 base32 characters of SHA-256: 80 bits, as kube-proxy's names carry.
    private static string Hash(string text)
    {
        Span<byte> digest = stackalloc byte[32];
        var length = Encoding.UTF8.GetByteCount(text);
        var bytes = length <= 256 ? stackalloc byte[length] : new byte[length];
        Encoding.UTF8.GetBytes(text, bytes);
        SHA256.HashData(bytes, digest);
        Span<char> name = stackalloc char[16];
        ulong bits = 0;
        var held = 0;
        var at = 0;
        var i = 0;
        while (at < name.Length)
        {
            if (held < 5)
            {
                bits = (bits << 8) | digest[i++];
                held += 8;
            }

            held -= 5;
            name[at++] = Alphabet[(int)((bits >> held) & 31)];
        }

        return new string(name);
    }
}
