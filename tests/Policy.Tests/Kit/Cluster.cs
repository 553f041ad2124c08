using System.Net;
using Routing.Policy.Model;
using Routing.Policy.Selectors;

namespace Routing.Policy.Tests.Kit;

/// <summary>
/// The upstream netpol model: namespaces x, y, z, pods a, b, c in each, labelled pod=NAME and
/// kubernetes.io/metadata.name=NS, serving TCP and UDP on 80 and 81 with named ports
/// serve-80-tcp, serve-81-udp… Pod x/a has address 10.100.1.1, z/c 10.100.3.3.
/// </summary>
public static class Cluster
{
    public static readonly string[] NamespaceNames = ["x", "y", "z"];
    public static readonly string[] PodNames = ["a", "b", "c"];
    public static readonly int[] Ports = [80, 81];

    public static IPAddress AddressOf(string ns, string pod) =>
        IPAddress.Parse($"10.100.{Array.IndexOf(NamespaceNames, ns) + 1}.{Array.IndexOf(PodNames, pod) + 1}");

    /// <summary>The host side of the pod's veth, with the agent's pod-interface prefix.</summary>
    public static string InterfaceOf(string ns, string pod) => $"cali{ns}{pod}";

    public static Endpoint Pod(string ns, string pod, IReadOnlyDictionary<string, string>? extraLabels = null)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal) { ["pod"] = pod };
        foreach (var (k, v) in extraLabels ?? new Dictionary<string, string>())
        {
            labels[k] = v;
        }

        var ports = Ports.SelectMany(p => new[]
        {
            new ContainerPort($"serve-{p}-tcp", p, PolicyProtocol.Tcp),
            new ContainerPort($"serve-{p}-udp", p, PolicyProtocol.Udp),
        });
        return new Endpoint(ns, pod, labels, [AddressOf(ns, pod)], ports.ToArray(), InterfaceOf(ns, pod));
    }

    public static IEnumerable<Endpoint> Pods() =>
        NamespaceNames.SelectMany(ns => PodNames.Select(pod => Pod(ns, pod)));

    public static IEnumerable<ClusterNamespace> Namespaces() => NamespaceNames.Select(n => ClusterNamespace.Create(n));

    public static PolicyModel ModelOf(params NetworkPolicy[] policies) => new(Namespaces(), Pods(), policies);

    public static Dictionary<string, string> Labels(params string[] keyValues)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < keyValues.Length; i += 2)
        {
            labels[keyValues[i]] = keyValues[i + 1];
        }

        return labels;
    }

    /// <summary>matchLabels of the given key/value pairs.</summary>
    public static LabelSelector Select(params string[] keyValues) => new(Labels(keyValues));

    public static LabelSelector SelectPod(string pod) => Select("pod", pod);

    public static LabelSelector SelectNamespace(string ns) => Select(ClusterNamespace.NameLabel, ns);

    public static NetworkPolicy DenyAllIngress(string ns, string name = "deny-all-ingress") =>
        new(ns, name, LabelSelector.Everything, [], [], [PolicyDirection.Ingress]);

    public static NetworkPolicy DenyAllEgress(string ns, string name = "deny-all-egress") =>
        new(ns, name, LabelSelector.Everything, [], [], [PolicyDirection.Egress]);

    public static NetworkPolicy IngressTo(string ns, string name, LabelSelector pods, params NetworkPolicyRule[] rules) =>
        new(ns, name, pods, rules, [], [PolicyDirection.Ingress]);

    public static NetworkPolicy EgressFrom(string ns, string name, LabelSelector pods, params NetworkPolicyRule[] rules) =>
        new(ns, name, pods, [], rules, [PolicyDirection.Egress]);
}
