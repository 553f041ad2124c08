using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Routing.Agent.Services.Model;

namespace Routing.Agent.Services.Reading;

/// <summary>
/// Reads Services (v1) and EndpointSlices (discovery.k8s.io/v1) as a datastore holds them (JSON in
/// their upstream schema). What cannot be used is reported with the resource and the field, never
/// guessed: a <see cref="ServiceResourceException"/> lists every bad field at once.
/// </summary>
public static class ServiceResourceReader
{
    public const string ServiceKind = "Service";
    public const string EndpointSliceKind = "EndpointSlice";

    public static ClusterService ReadService(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        var metadata = Object(root, "metadata");
        var ns = Text(metadata, "namespace") ?? "default";
        var name = Text(metadata, "name") ?? "";
        var errors = new List<ServiceFieldError>();
        if (name.Length == 0)
        {
            errors.Add(new ServiceFieldError("metadata.name", "a Service needs a name"));
        }

        var spec = Object(root, "spec");
        var type = Text(spec, "type") ?? "ClusterIP";
        if (type is not ("ClusterIP" or "NodePort" or "LoadBalancer" or "ExternalName"))
        {
            errors.Add(new ServiceFieldError("spec.type", $"\"{type}\" is not a service type: use ClusterIP, NodePort, LoadBalancer or ExternalName"));
        }

        var clusterIPs = new List<IPAddress>();
        if (spec.ValueKind == JsonValueKind.Object && spec.TryGetProperty("clusterIPs", out var ips) && ips.ValueKind == JsonValueKind.Array)
        {
            var i = 0;
            foreach (var ip in ips.EnumerateArray())
            {
                Address(ip.GetString(), $"spec.clusterIPs[{i++}]", clusterIPs, errors, allowNone: true);
            }
        }
        else
        {
            Address(Text(spec, "clusterIP"), "spec.clusterIP", clusterIPs, errors, allowNone: true);
        }

        var externalIPs = Addresses(spec, "externalIPs", "spec.externalIPs", errors);
        var loadBalancerIPs = new List<IPAddress>();
        var ingress = Object(Object(Object(root, "status"), "loadBalancer"), "ingress", JsonValueKind.Array);
        if (ingress.ValueKind == JsonValueKind.Array)
        {
            var i = 0;
            foreach (var entry in ingress.EnumerateArray())
            {
                // Ingress points given by hostname only are for DNS, not for the proxy.
                if (Text(entry, "ip") is { } ip)
                {
                    Address(ip, $"status.loadBalancer.ingress[{i}].ip", loadBalancerIPs, errors, allowNone: false);
                }

                i++;
            }
        }

        var ports = new List<ServicePort>();
        var portList = Object(spec, "ports", JsonValueKind.Array);
        if (portList.ValueKind == JsonValueKind.Array)
        {
            var i = 0;
            foreach (var port in portList.EnumerateArray())
            {
                ports.Add(Port(port, $"spec.ports[{i++}]", errors));
            }
        }

        if (ports.Count > 1 && ports.Any(p => p.Name.Length == 0))
        {
            errors.Add(new ServiceFieldError("spec.ports", "every port of a service with several ports needs a name"));
        }

        int? affinity = null;
        switch (Text(spec, "sessionAffinity"))
        {
            case null or "None":
                break;
            case "ClientIP":
                affinity = 10800;
                var seconds = Object(Object(Object(spec, "sessionAffinityConfig"), "clientIP"), "timeoutSeconds", JsonValueKind.Number);
                if (seconds.ValueKind == JsonValueKind.Number)
                {
                    affinity = seconds.TryGetInt32(out var s) && s is > 0 and <= 86400 ? s : Bad(errors, "spec.sessionAffinityConfig.clientIP.timeoutSeconds", "must be 1 to 86400 seconds");
                }

                break;
            case var other:
                errors.Add(new ServiceFieldError("spec.sessionAffinity", $"\"{other}\" is not a session affinity: use None or ClientIP"));
                break;
        }

        var externalLocal = Policy(spec, "externalTrafficPolicy", errors);
        var internalLocal = Policy(spec, "internalTrafficPolicy", errors);
        var healthCheck = 0;
        if (spec.ValueKind == JsonValueKind.Object && spec.TryGetProperty("healthCheckNodePort", out var hc) && hc.ValueKind == JsonValueKind.Number)
        {
            healthCheck = hc.TryGetInt32(out var h) && h is > 0 and <= 65535 ? h : Bad(errors, "spec.healthCheckNodePort", "must be a port, 1 to 65535");
        }

        if (errors.Count > 0)
        {
            throw new ServiceResourceException($"Service {ns}/{name}", errors);
        }

        return new ClusterService
        {
            Namespace = ns,
            Name = name,
            Type = type,
            ClusterIPs = clusterIPs,
            ExternalIPs = externalIPs,
            LoadBalancerIPs = loadBalancerIPs,
            Ports = ports,
            AffinitySeconds = affinity,
            ExternalTrafficLocal = externalLocal,
            InternalTrafficLocal = internalLocal,
            HealthCheckNodePort = healthCheck,
        };
    }

    public static EndpointSlice ReadEndpointSlice(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        var metadata = Object(root, "metadata");
        var ns = Text(metadata, "namespace") ?? "default";
        var name = Text(metadata, "name") ?? "";
        var errors = new List<ServiceFieldError>();
        var service = Text(Object(metadata, "labels"), EndpointSlice.ServiceNameLabel);
        if (service is null)
        {
            errors.Add(new ServiceFieldError($"metadata.labels[{EndpointSlice.ServiceNameLabel}]", "names the Service the slice belongs to; it is missing"));
        }

        var family = AddressFamily.InterNetwork;
        switch (Text(root, "addressType"))
        {
            case "IPv4":
                break;
            case "IPv6":
                family = AddressFamily.InterNetworkV6;
                break;
            case "FQDN":
                family = AddressFamily.Unspecified;
                break;
            case var other:
                errors.Add(new ServiceFieldError("addressType", $"\"{other}\" is not an address type: use IPv4, IPv6 or FQDN"));
                break;
        }

        var ports = new List<EndpointPort>();
        var portList = Object(root, "ports", JsonValueKind.Array);
        if (portList.ValueKind == JsonValueKind.Array)
        {
            var i = 0;
            foreach (var port in portList.EnumerateArray())
            {
                var at = $"ports[{i++}]";
                if (!ServiceProtocols.TryParse(Text(port, "protocol"), out var protocol))
                {
                    errors.Add(new ServiceFieldError($"{at}.protocol", $"\"{Text(port, "protocol")}\" is not a protocol: use TCP, UDP or SCTP"));
                }

                var number = Object(port, "port", JsonValueKind.Number);
                int value = number.ValueKind == JsonValueKind.Number && number.TryGetInt32(out var n) && n is > 0 and <= 65535 ? n : Bad(errors, $"{at}.port", "must be a port, 1 to 65535");
                ports.Add(new EndpointPort(Text(port, "name") ?? "", protocol, value));
            }
        }

        var endpoints = new List<ServiceEndpoint>();
        var list = Object(root, "endpoints", JsonValueKind.Array);
        if (list.ValueKind == JsonValueKind.Array)
        {
            var i = 0;
            foreach (var endpoint in list.EnumerateArray())
            {
                var at = $"endpoints[{i++}]";
                var addresses = new List<IPAddress>();
                if (family != AddressFamily.Unspecified)
                {
                    var j = 0;
                    foreach (var address in Object(endpoint, "addresses", JsonValueKind.Array).EnumerateArraySafe())
                    {
                        var field = $"{at}.addresses[{j++}]";
                        if (IPAddress.TryParse(address.GetString() ?? "", out var ip) && ip.AddressFamily == family)
                        {
                            addresses.Add(ip);
                        }
                        else
                        {
                            errors.Add(new ServiceFieldError(field, $"\"{address}\" is not an {(family == AddressFamily.InterNetwork ? "IPv4" : "IPv6")} address, as addressType says"));
                        }
                    }
                }

                var conditions = Object(endpoint, "conditions");
                endpoints.Add(new ServiceEndpoint(
                    addresses,
                    Flag(conditions, "ready") ?? true,
                    Flag(conditions, "serving") ?? Flag(conditions, "ready") ?? true,
                    Flag(conditions, "terminating") ?? false,
                    Text(endpoint, "nodeName")));
            }
        }

        if (errors.Count > 0)
        {
            throw new ServiceResourceException($"EndpointSlice {ns}/{name}", errors);
        }

        return new EndpointSlice { Namespace = ns, Name = name, ServiceName = service!, Family = family, Ports = ports, Endpoints = endpoints };
    }

    private static ServicePort Port(JsonElement port, string at, List<ServiceFieldError> errors)
    {
        var name = Text(port, "name") ?? "";
        if (!ServiceProtocols.TryParse(Text(port, "protocol"), out var protocol))
        {
            errors.Add(new ServiceFieldError($"{at}.protocol", $"\"{Text(port, "protocol")}\" is not a protocol: use TCP, UDP or SCTP"));
        }

        var number = Object(port, "port", JsonValueKind.Number);
        var value = number.ValueKind == JsonValueKind.Number && number.TryGetInt32(out var n) && n is > 0 and <= 65535 ? n : Bad(errors, $"{at}.port", "must be a port, 1 to 65535");
        var nodePort = 0;
        if (port.TryGetProperty("nodePort", out var np) && np.ValueKind == JsonValueKind.Number)
        {
            nodePort = np.TryGetInt32(out var p) && p is > 0 and <= 65535 ? p : Bad(errors, $"{at}.nodePort", "must be a port, 1 to 65535");
        }

        var targetNumber = value;
        string? targetName = null;
        if (port.TryGetProperty("targetPort", out var target))
        {
            if (target.ValueKind == JsonValueKind.Number)
            {
                targetNumber = target.TryGetInt32(out var t) && t is > 0 and <= 65535 ? t : Bad(errors, $"{at}.targetPort", "must be a port, 1 to 65535, or a port name");
            }
            else if (target.GetString() is { Length: > 0 } text)
            {
                if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var t))
                {
                    targetNumber = t is > 0 and <= 65535 ? t : Bad(errors, $"{at}.targetPort", "must be a port, 1 to 65535, or a port name");
                }
                else
                {
                    targetName = text;
                    targetNumber = 0;
                }
            }
        }

        return new ServicePort(name, protocol, value, nodePort, targetNumber, targetName);
    }

    private static bool Policy(JsonElement spec, string field, List<ServiceFieldError> errors)
    {
        switch (Text(spec, field))
        {
            case null or "Cluster":
                return false;
            case "Local":
                return true;
            case var other:
                errors.Add(new ServiceFieldError($"spec.{field}", $"\"{other}\" is not a traffic policy: use Cluster or Local"));
                return false;
        }
    }

    private static List<IPAddress> Addresses(JsonElement spec, string property, string at, List<ServiceFieldError> errors)
    {
        var addresses = new List<IPAddress>();
        var i = 0;
        foreach (var item in Object(spec, property, JsonValueKind.Array).EnumerateArraySafe())
        {
            Address(item.GetString(), $"{at}[{i++}]", addresses, errors, allowNone: false);
        }

        return addresses;
    }

    private static void Address(string? text, string at, List<IPAddress> into, List<ServiceFieldError> errors, bool allowNone)
    {
        if (text is null || (allowNone && (text.Length == 0 || text == "None")))
        {
            return;
        }

        // IPAddress.TryParse takes "10" or "1.2.3" too; an address must be written in full.
        if (IPAddress.TryParse(text, out var address) && (address.AddressFamily == AddressFamily.InterNetworkV6 || text.Count(c => c == '.') == 3))
        {
            into.Add(address);
        }
        else
        {
            errors.Add(new ServiceFieldError(at, $"\"{text}\" is not an IP address"));
        }
    }

    private static int Bad(List<ServiceFieldError> errors, string field, string problem)
    {
        errors.Add(new ServiceFieldError(field, problem));
        return 0;
    }

    private static bool? Flag(JsonElement element, string property) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(property, out var value) && value.ValueKind is JsonValueKind.True or JsonValueKind.False ? value.GetBoolean() : null;

    private static JsonElement Object(JsonElement element, string property, JsonValueKind kind = JsonValueKind.Object) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(property, out var value) && value.ValueKind == kind ? value : default;

    private static JsonElement[] EnumerateArraySafe(this JsonElement element) =>
        element.ValueKind == JsonValueKind.Array ? [.. element.EnumerateArray()] : [];

    private static string? Text(JsonElement element, string property) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
