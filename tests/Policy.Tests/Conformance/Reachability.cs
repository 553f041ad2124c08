using System.Text;
using Routing.Policy.Model;
using Routing.Policy.Tests.Kit;

namespace Routing.Policy.Tests.Conformance;

/// <summary>
/// An expected matrix, written by hand from the Kubernetes semantics of a case (like upstream's
/// netpol <c>Reachability</c>): start from all allowed or all denied, then flip cells chosen by
/// pod patterns ("x/a", "x/*", "*/b", "*"), port and protocol.
/// </summary>
public sealed class Reachability
{
    private readonly Dictionary<Probe, bool> cells = [];

    public Reachability(bool allowed)
    {
        foreach (var probe in AllProbes())
        {
            cells[probe] = allowed;
        }
    }

    public static IEnumerable<string> PodKeys() =>
        Cluster.NamespaceNames.SelectMany(ns => Cluster.PodNames.Select(p => $"{ns}/{p}"));

    /// <summary>Every (from, to, port, protocol) with from ≠ to: a pod's traffic to itself never leaves it.</summary>
    public static IEnumerable<Probe> AllProbes() =>
        from f in PodKeys()
        from t in PodKeys()
        where f != t
        from port in Cluster.Ports
        from protocol in new[] { PolicyProtocol.Tcp, PolicyProtocol.Udp }
        select new Probe(f, t, port, protocol);

    public bool this[Probe probe] => cells[probe];

    public Reachability Set(string from, string to, bool allowed, int? port = null, PolicyProtocol? protocol = null)
    {
        foreach (var probe in cells.Keys.ToArray())
        {
            if (Like(probe.From, from) && Like(probe.To, to) && (port is null || probe.Port == port) && (protocol is null || probe.Protocol == protocol))
            {
                cells[probe] = allowed;
            }
        }

        return this;
    }

    public Reachability Allow(string from, string to, int? port = null, PolicyProtocol? protocol = null) => Set(from, to, true, port, protocol);

    public Reachability Deny(string from, string to, int? port = null, PolicyProtocol? protocol = null) => Set(from, to, false, port, protocol);

    /// <summary>The cells where <paramref name="other"/> says otherwise, as readable lines.</summary>
    public IReadOnlyList<string> Differences(IReadOnlyDictionary<Probe, bool> other, string otherName) =>
        cells.Where(c => other[c.Key] != c.Value)
            .Select(c => $"{c.Key}: expected {(c.Value ? "allowed" : "denied")}, {otherName} {(other[c.Key] ? "allowed" : "denied")}")
            .ToArray();

    /// <summary>A from × to table per port/protocol, '.' allowed and 'X' denied, as upstream prints it.</summary>
    public static string Render(IReadOnlyDictionary<Probe, bool> matrix)
    {
        var text = new StringBuilder();
        var pods = PodKeys().ToArray();
        foreach (var group in matrix.Keys.GroupBy(p => (p.Port, p.Protocol)))
        {
            text.Append($"{group.Key.Port}/{group.Key.Protocol.Name()}\n     ").AppendJoin(' ', pods.Select(p => p.Replace("/", string.Empty, StringComparison.Ordinal))).Append('\n');
            foreach (var from in pods)
            {
                text.Append(from.Replace("/", string.Empty, StringComparison.Ordinal).PadRight(5));
                foreach (var to in pods)
                {
                    var probe = new Probe(from, to, group.Key.Port, group.Key.Protocol);
                    text.Append(from == to ? " - " : matrix[probe] ? " . " : " X ");
                }

                text.Append('\n');
            }
        }

        return text.ToString();
    }

    public IReadOnlyDictionary<Probe, bool> Cells => cells;

    private static bool Like(string key, string pattern)
    {
        if (pattern == "*")
        {
            return true;
        }

        var (ns, pod) = (key.Split('/')[0], key.Split('/')[1]);
        var (pns, ppod) = (pattern.Split('/')[0], pattern.Split('/')[1]);
        return (pns == "*" || pns == ns) && (ppod == "*" || ppod == pod);
    }
}
