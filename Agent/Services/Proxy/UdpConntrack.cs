using System.Globalization;
using System.Net;
using Routing.Agent.Services.Model;
using Routing.Agent.Services.Rules;
using Routing.Dataplane.Commands;

namespace Routing.Agent.Services.Proxy;

/// <summary>
/// UDP has no connection to end: conntrack keeps sending a client's datagrams to the endpoint it
/// first chose, even after that endpoint is gone. As kube-proxy does, the entries of removed UDP
/// endpoints are deleted (<c>conntrack -D</c>), and so are the entries of a UDP service port that
/// had no endpoint (made while it was rejected) when it gets one.
/// </summary>
public static class UdpConntrack
{
    /// <summary>The <c>conntrack</c> argument lists that clean up after going from <paramref name="before"/> to <paramref name="after"/>.</summary>
    public static IReadOnlyList<string[]> Deletions(IReadOnlyList<ProgrammedServicePort> before, IReadOnlyList<ProgrammedServicePort> after)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        var now = after.Where(p => p.Port.Protocol == ServiceProtocol.Udp).ToDictionary(p => p.ToString(), StringComparer.Ordinal);
        var deletions = new List<string[]>();
        foreach (var old in before.Where(p => p.Port.Protocol == ServiceProtocol.Udp))
        {
            var current = now.GetValueOrDefault(old.ToString());
            var kept = new HashSet<IPAddress>(current?.Endpoints.Select(e => e.Address) ?? []);
            foreach (var gone in old.Endpoints.Select(e => e.Address).Distinct().Where(a => !kept.Contains(a)))
            {
                deletions.AddRange(old.Frontends.Select(f => Family(f, ["-D", "-p", "udp", "--orig-dst", f.ToString(), "--dst-nat", gone.ToString()])));
                if (old.Port.NodePort != 0)
                {
                    deletions.Add(Family(gone, ["-D", "-p", "udp", "--dport", old.Port.NodePort.ToString(CultureInfo.InvariantCulture), "--dst-nat", gone.ToString()]));
                }
            }
        }

        var had = before.Where(p => p.Port.Protocol == ServiceProtocol.Udp && p.Endpoints.Count > 0).Select(p => p.ToString()).ToHashSet(StringComparer.Ordinal);
        foreach (var port in now.Values.Where(p => p.Endpoints.Count > 0 && !had.Contains(p.ToString())))
        {
            deletions.AddRange(port.Frontends.Select(f => Family(f, ["-D", "-p", "udp", "--orig-dst", f.ToString()])));
        }

        return deletions;
    }

    /// <summary>Runs the deletions; "no entry matched" (exit 1) is the usual answer and not a failure.</summary>
    public static async Task<int> DeleteAsync(ICommandRunner runner, IReadOnlyList<string[]> deletions, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runner);
        ArgumentNullException.ThrowIfNull(deletions);
        var failures = 0;
        foreach (var arguments in deletions)
        {
            var output = await runner.RunAsync("conntrack", arguments, null, cancellationToken).ConfigureAwait(false);
            if (!output.Succeeded && !output.StandardError.Contains("0 flow entries", StringComparison.Ordinal))
            {
                failures++;
            }
        }

        return failures;
    }

    private static string[] Family(IPAddress address, string[] arguments) =>
        address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? [.. arguments, "-f", "ipv6"] : arguments;
}
