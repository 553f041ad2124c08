using System.Globalization;
using System.Text.Json;
using Routing.Agent.Datastore.Store;

namespace Routing.Benchmarks.Policy;

/// <summary>
/// A cluster for bench/policy, as datastore JSON: pods spread over namespaces (by default 50 local
/// pods each; pod i in namespace i mod N), local to the benchmarked node or of another node, labelled app=app-(i mod 50), tier=tier-(i mod 3); policies, four in five
/// NetworkPolicies (a pod-selector and a namespace-selector peer on TCP ports, and for every other
/// one an egress to an ipBlock with an exception) and one in five GlobalNetworkPolicies (Deny from
/// a net, Allow TCP to a port range, Pass from a namespace).
/// </summary>
internal sealed class SyntheticCluster
{
    public const string NodeName = "bench-node";
    public const string OtherNode = "bench-other";
    private const int Apps = 50;

    /// <param name="remote">Pods of another node after the <paramref name="pods"/> local ones (index pods…pods+remote-1), in the same namespaces.</param>
    /// <param name="namespaces">How many namespaces the pods are spread over; 0: one per 50 local pods.</param>
    public SyntheticCluster(int pods, int policies, int remote = 0, int namespaces = 0)
    {
        var namespaceCount = namespaces > 0 ? namespaces : Math.Max(1, pods / 50);
        LocalCount = pods;
        Namespaces = Enumerable.Range(0, namespaceCount).Select(Namespace).ToArray();
        Pods = Enumerable.Range(0, pods + remote).Select(i => Pod(i, namespaceCount, App(i), i < pods)).ToArray();
        Policies = Enumerable.Range(0, policies).Select(j => j % 5 == 4 ? Global(j) : Kubernetes(j, namespaceCount)).ToArray();
        NamespaceCount = namespaceCount;
    }

    public int NamespaceCount { get; }

    public int LocalCount { get; }

    public IReadOnlyList<(ResourceKey Key, string Json)> Namespaces { get; }

    public IReadOnlyList<(ResourceKey Key, string Json)> Pods { get; }

    public IReadOnlyList<(ResourceKey Key, string Json)> Policies { get; }

    public IEnumerable<(ResourceKey Key, string Json)> All => Namespaces.Concat(Pods).Concat(Policies);

    public static string App(int i) => "app-" + (i % Apps).ToString(CultureInfo.InvariantCulture);

    /// <summary>Pod <paramref name="i"/> with its app label set to <paramref name="app"/>.</summary>
    public (ResourceKey Key, string Json) Pod(int i, string app) => Pod(i, NamespaceCount, app, i < LocalCount);

    private static (ResourceKey, string) Namespace(int n)
    {
        var name = $"ns-{n}";
        return (ResourceKey.ClusterScoped("Namespace", name),
            JsonSerializer.Serialize(new { apiVersion = "v1", kind = "Namespace", metadata = new { name, labels = new { team = $"t{n % 5}" } } }));
    }

    private static (ResourceKey, string) Pod(int i, int namespaces, string app, bool local)
    {
        var ns = $"ns-{i % namespaces}";
        var name = $"p-{i}";
        var address = $"10.1.{i / 250}.{(i % 250) + 1}";
        return (new ResourceKey("Pod", ns, name), JsonSerializer.Serialize(new
        {
            apiVersion = "v1",
            kind = "Pod",
            metadata = new { @namespace = ns, name, labels = new { app, tier = $"tier-{i % 3}" } },
            spec = new { nodeName = local ? NodeName : OtherNode },
            status = new { podIPs = new[] { new { ip = address } } },
        }));
    }

    private static (ResourceKey, string) Kubernetes(int j, int namespaces)
    {
        var ns = $"ns-{j % namespaces}";
        var name = $"np-{j}";
        var ingress = new[]
        {
            new
            {
                from = new object[] { new { podSelector = new { matchLabels = new { app = App(j + 1) } } }, new { namespaceSelector = new { matchLabels = new { team = $"t{j % 5}" } } } },
                ports = new[] { new { port = 80 + (j % 10) }, new { port = 443 } },
            },
        };
        object spec = j % 2 == 0
            ? new
            {
                podSelector = new { matchLabels = new { app = App(j) } },
                ingress,
                egress = new[] { new { to = new[] { new { ipBlock = new { cidr = "10.0.0.0/8", except = new[] { $"10.{j % 250}.0.0/16" } } } }, ports = new[] { new { protocol = "UDP", port = 53 } } } },
                policyTypes = new[] { "Ingress", "Egress" },
            }
            : new { podSelector = new { matchLabels = new { app = App(j) } }, ingress };
        return (new ResourceKey("NetworkPolicy", ns, name),
            JsonSerializer.Serialize(new { apiVersion = "networking.k8s.io/v1", kind = "NetworkPolicy", metadata = new { @namespace = ns, name }, spec }));
    }

    private static (ResourceKey, string) Global(int j)
    {
        var name = $"gnp-{j}";
        var ingress = new object[]
        {
            new { action = "Deny", source = new { nets = new[] { $"192.168.{j % 256}.0/24" } } },
            new { action = "Allow", protocol = "TCP", destination = new { ports = new[] { "8000:8100" } } },
            new { action = "Pass", source = new { namespaceSelector = $"team == 't{j % 5}'" } },
        };
        return (ResourceKey.ClusterScoped("GlobalNetworkPolicy", name), JsonSerializer.Serialize(new
        {
            apiVersion = "routing.dev/v1",
            kind = "GlobalNetworkPolicy",
            metadata = new { name },
            spec = new { order = j, selector = $"app == '{App(j)}'", ingress },
        }));
    }
}
