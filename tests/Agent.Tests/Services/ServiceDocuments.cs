using System.Text.Json;

namespace Routing.Agent.Tests.Services;

/// <summary>Services and EndpointSlices as JSON, as a datastore would hold them.</summary>
internal static class ServiceDocuments
{
    public static string Service(string name, object spec, object? status = null, string ns = "default") =>
        JsonSerializer.Serialize(new { apiVersion = "v1", kind = "Service", metadata = new { name, @namespace = ns }, spec, status });

    public static object Port(int port, string name = "", string protocol = "TCP", object? targetPort = null, int? nodePort = null) =>
        nodePort is null
            ? new { name, protocol, port, targetPort = targetPort ?? port }
            : new { name, protocol, port, targetPort = targetPort ?? port, nodePort };

    public static object Endpoint(string address, string? node = "node1", bool ready = true, bool serving = true, bool terminating = false) =>
        new { addresses = new[] { address }, conditions = new { ready, serving, terminating }, nodeName = node };

    public static string Slice(string service, object[] endpoints, object[] ports, string name = "", string addressType = "IPv4", string ns = "default") =>
        JsonSerializer.Serialize(new
        {
            apiVersion = "discovery.k8s.io/v1",
            kind = "EndpointSlice",
            metadata = new { name = name.Length > 0 ? name : service + "-abc", @namespace = ns, labels = new Dictionary<string, string> { ["kubernetes.io/service-name"] = service } },
            addressType,
            endpoints,
            ports,
        });

    public static object SlicePort(int port, string name = "", string protocol = "TCP") => new { name, protocol, port };
}
