using System.Net;
using System.Text.Json;
using Routing.Agent.Dns.Zone;

namespace Routing.Agent.Dns.Cluster;

/// <summary>
/// Reads <see cref="ClusterNames"/> from Kubernetes documents in their upstream JSON schema:
/// Service (core/v1), EndpointSlice (discovery.k8s.io/v1) and Pod (core/v1). A document that cannot
/// be read is left out and named in <see cref="ClusterNamesRead.Problems"/>; the others still count.
/// </summary>
public static class ClusterNamesReader
{
    /// <summary>The label that ties an EndpointSlice to its Service.</summary>
    public const string ServiceNameLabel = "kubernetes.io/service-name";

    public static ClusterNamesRead Read(IEnumerable<string> services, IEnumerable<string> endpointSlices, IEnumerable<string> pods)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(endpointSlices);
        ArgumentNullException.ThrowIfNull(pods);
        var problems = new List<string>();
        var endpoints = new Dictionary<(string Namespace, string Service), List<ServiceEndpoint>>();
        foreach (var json in endpointSlices)
        {
            Try(json, "EndpointSlice", problems, root =>
            {
                var (ns, _) = Metadata(root);
                if (!root.TryGetProperty("metadata", out var meta) || !meta.TryGetProperty("labels", out var labels)
                    || !labels.TryGetProperty(ServiceNameLabel, out var serviceName) || serviceName.GetString() is not { Length: > 0 } service)
                {
                    return;
                }

                // FQDN slices hold names, not addresses: nothing for DNS to answer with.
                if (String(root, "addressType") is not ("IPv4" or "IPv6"))
                {
                    return;
                }

                var ports = Ports(root);
                var list = endpoints.TryGetValue((ns, service), out var found) ? found : endpoints[(ns, service)] = [];
                foreach (var endpoint in Array(root, "endpoints"))
                {
                    var addresses = Array(endpoint, "addresses").Select(a => IPAddress.Parse(a.GetString()!)).ToArray();
                    // Ready unless it says otherwise (EndpointConditions: nil means ready).
                    var ready = !(endpoint.TryGetProperty("conditions", out var conditions)
                        && conditions.TryGetProperty("ready", out var readyValue) && readyValue.ValueKind == JsonValueKind.False);
                    list.Add(new ServiceEndpoint(addresses, String(endpoint, "hostname"), ready, ports));
                }
            });
        }

        var serviceNames = new List<ServiceName>();
        foreach (var json in services)
        {
            Try(json, "Service", problems, root =>
            {
                var (ns, name) = Metadata(root);
                var spec = root.GetProperty("spec");
                var type = String(spec, "type") ?? "ClusterIP";
                var clusterIP = String(spec, "clusterIP");
                var clusterIPs = Array(spec, "clusterIPs").Select(e => e.GetString()).OfType<string>().ToList();
                if (clusterIPs.Count == 0 && clusterIP is { Length: > 0 })
                {
                    clusterIPs.Add(clusterIP);
                }

                var kind = type == "ExternalName" ? ServiceKind.ExternalName
                    : clusterIP == "None" ? ServiceKind.Headless
                    : ServiceKind.ClusterIP;
                var addresses = kind == ServiceKind.ClusterIP
                    ? clusterIPs.Where(a => a != "None" && a.Length > 0).Select(IPAddress.Parse).ToArray()
                    : [];
                var publishNotReady = spec.TryGetProperty("publishNotReadyAddresses", out var publish) && publish.ValueKind == JsonValueKind.True;
                serviceNames.Add(new ServiceName(
                    ns,
                    name,
                    kind,
                    addresses,
                    Ports(spec),
                    String(spec, "externalName"),
                    endpoints.TryGetValue((ns, name), out var eps) ? eps : [],
                    publishNotReady));
            });
        }

        var podNames = new List<PodName>();
        foreach (var json in pods)
        {
            Try(json, "Pod", problems, root =>
            {
                var (ns, name) = Metadata(root);
                // A host-network pod's address is its node's; a finished pod has none any more.
                if (root.TryGetProperty("spec", out var spec) && spec.TryGetProperty("hostNetwork", out var host) && host.ValueKind == JsonValueKind.True)
                {
                    return;
                }

                if (!root.TryGetProperty("status", out var status) || String(status, "phase") is "Succeeded" or "Failed")
                {
                    return;
                }

                var ips = Array(status, "podIPs").Select(p => String(p, "ip")).OfType<string>().ToList();
                if (ips.Count == 0 && String(status, "podIP") is { Length: > 0 } single)
                {
                    ips.Add(single);
                }

                if (ips.Count > 0)
                {
                    podNames.Add(new PodName(ns, name, ips.Select(IPAddress.Parse).ToArray()));
                }
            });
        }

        return new ClusterNamesRead(new ClusterNames(serviceNames, podNames), problems);
    }

    private static void Try(string json, string kind, List<string> problems, Action<JsonElement> read)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            read(document.RootElement);
        }
        catch (Exception e) when (e is JsonException or FormatException or KeyNotFoundException or InvalidOperationException)
        {
            problems.Add($"{kind}: {e.Message}");
        }
    }

    private static (string Namespace, string Name) Metadata(JsonElement root)
    {
        var meta = root.GetProperty("metadata");
        return (String(meta, "namespace") ?? "default", String(meta, "name") ?? throw new KeyNotFoundException("metadata.name is missing"));
    }

    private static NamedPort[] Ports(JsonElement parent) =>
        Array(parent, "ports")
            .Select(p => new NamedPort(String(p, "name") ?? "", String(p, "protocol") ?? "TCP", p.TryGetProperty("port", out var port) && port.TryGetInt32(out var n) ? n : 0))
            .Where(p => p.Port is > 0 and <= 65535)
            .ToArray();

    private static string? String(JsonElement parent, string property) =>
        parent.ValueKind == JsonValueKind.Object && parent.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static IEnumerable<JsonElement> Array(JsonElement parent, string property)
    {
        if (parent.ValueKind != JsonValueKind.Object || !parent.TryGetProperty(property, out var value) || value.ValueKind != JsonValueKind.Array)
        {
            yield break;
        }

        foreach (var element in value.EnumerateArray())
        {
            yield return element;
        }
    }
}

/// <summary>What <see cref="ClusterNamesReader.Read"/> made of the documents, and what it had to leave out.</summary>
public sealed record ClusterNamesRead(ClusterNames Names, IReadOnlyList<string> Problems);
