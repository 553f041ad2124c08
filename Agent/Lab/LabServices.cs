using System.Globalization;
using System.Text;

namespace Routing.Agent.Lab;

/// <summary>A Service the lab makes in namespace <c>lab</c>, with EndpointSlices pointing at lab pods.</summary>
public sealed record LabService(string Name, string Type, string ClusterIP, string? ExternalIP, int Port, int NodePort, bool ExternalTrafficLocal, int HealthCheckNodePort)
{
    public override string ToString() =>
        $"{Name} {Type} {ClusterIP}:{Port}{(ExternalIP is null ? "" : $", external {ExternalIP}")}, node port {NodePort}{(ExternalTrafficLocal ? $", externalTrafficPolicy Local (health check {HealthCheckNodePort})" : "")}";
}

/// <summary>
/// The lab's services, computed purely from the plan and the pods' addresses: <c>web</c> (NodePort)
/// with every pod as its endpoint, and <c>local</c> (LoadBalancer with an external IP and
/// <c>externalTrafficPolicy: Local</c>) with the first node's pods only, so that only that node
/// advertises its /32s. Every pod serves TCP <see cref="PodPort"/>, answering "POD CLIENT-ADDRESS".
/// </summary>
public static class LabServices
{
    public const string Namespace = "lab";
    public const string ServiceClusterIPs = "10.96.0.0/12";
    public const string ServiceExternalIPs = "203.0.113.0/24";
    public const int PodPort = 8080;

    public static LabService Web { get; } = new("web", "NodePort", "10.96.0.10", null, 80, 30080, false, 0);

    public static LabService Local { get; } = new("local", "LoadBalancer", "10.96.0.11", "203.0.113.11", 80, 30081, true, 32081);

    public static IReadOnlyList<LabService> All { get; } = [Web, Local];

    /// <summary>The nodes whose pods are endpoints of <paramref name="service"/>.</summary>
    public static IEnumerable<LabNode> NodesOf(LabPlan plan, LabService service)
    {
        ArgumentNullException.ThrowIfNull(plan);
        return service == Local ? plan.Nodes.Take(1) : plan.Nodes;
    }

    /// <summary>The Services and their EndpointSlices, for <c>routing apply</c>.</summary>
    public static string Resources(LabPlan plan, IReadOnlyDictionary<string, string> podAddresses)
    {
        ArgumentNullException.ThrowIfNull(podAddresses);
        var yaml = new StringBuilder();
        foreach (var service in All)
        {
            var external = service.ExternalIP is null ? "" : $", externalIPs: [{service.ExternalIP}]";
            var local = service.ExternalTrafficLocal ? $", externalTrafficPolicy: Local, healthCheckNodePort: {service.HealthCheckNodePort}" : "";
            yaml.Append(CultureInfo.InvariantCulture, $"""
                ---
                apiVersion: v1
                kind: Service
                metadata: {"{"}name: {service.Name}, namespace: {Namespace}{"}"}
                spec: {"{"}type: {service.Type}, clusterIP: {service.ClusterIP}, clusterIPs: [{service.ClusterIP}]{external}{local}, ports: [{"{"}name: http, protocol: TCP, port: {service.Port}, targetPort: {PodPort}, nodePort: {service.NodePort}{"}"}]{"}"}
                ---
                apiVersion: discovery.k8s.io/v1
                kind: EndpointSlice
                metadata: {"{"}name: {service.Name}-lab, namespace: {Namespace}, labels: {"{"}kubernetes.io/service-name: {service.Name}{"}"}{"}"}
                addressType: IPv4
                ports: [{"{"}name: http, protocol: TCP, port: {PodPort}{"}"}]
                endpoints:

                """);
            foreach (var node in NodesOf(plan, service))
            {
                foreach (var pod in node.Pods.Where(p => podAddresses.ContainsKey(p.Name)))
                {
                    yaml.Append(CultureInfo.InvariantCulture, $"- {"{"}addresses: [{podAddresses[pod.Name]}], conditions: {"{"}ready: true{"}"}, nodeName: {node.Name}, targetRef: {"{"}kind: Pod, namespace: {Namespace}, name: {pod.Name}{"}"}{"}"}\n");
                }
            }
        }

        return yaml.ToString();
    }

    /// <summary>
    /// The pod's server: a small Python loop (Debian's python3, there with the lab's packages) that
    /// answers each TCP connection with the pod's name and the client's address, then closes it.
    /// </summary>
    public static IReadOnlyList<string> PodServer(LabPod pod)
    {
        ArgumentNullException.ThrowIfNull(pod);
        const string Script = """
            import socket, sys
            s = socket.socket()
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("0.0.0.0", int(sys.argv[2])))
            s.listen(128)
            while True:
                c, a = s.accept()
                try:
                    c.sendall(("%s %s\n" % (sys.argv[1], a[0])).encode())
                except OSError:
                    pass
                c.close()
            """;
        return ["python3", "-c", Script, pod.Name, PodPort.ToString(CultureInfo.InvariantCulture)];
    }
}
