using System.Globalization;
using System.Net;
using System.Runtime.InteropServices;
using System.Text.Json;
using Routing.Policy.Model;
using Routing.Policy.Selectors;
using Routing.Policy.Validation;

namespace Routing.Agent.PolicyRules;

/// <summary>
/// Reads the Kubernetes kinds policy depends on, as a datastore holds them (JSON in their upstream
/// schema), into the policy model: Namespaces (labels), Pods (labels, <c>status.podIPs</c>,
/// containers' named ports) and NetworkPolicies. What cannot be read is reported with the
/// resource and the field, never guessed.
/// </summary>
public static class PolicyResourceReader
{
    public static ClusterNamespace ReadNamespace(string json)
    {
        using var document = JsonDocument.Parse(json);
        var metadata = document.RootElement.GetProperty("metadata");
        return ClusterNamespace.Create(metadata.GetProperty("name").GetString()!, Labels(metadata));
    }

    /// <summary>A pod; <paramref name="hostInterface"/> names its veth on this node when it runs here.</summary>
    public static Endpoint ReadPod(string json, string hostInterface = "")
    {
        using var document = JsonDocument.Parse(json);
        return ReadPod(document.RootElement, hostInterface);
    }

    /// <summary>A pod from its parsed JSON, for a caller that reads more of it (the node it runs on).</summary>
    public static Endpoint ReadPod(JsonElement root, string hostInterface = "")
    {
        // Walked without LINQ and into arrays: the first apply reads every pod of the cluster.
        var metadata = root.GetProperty("metadata");
        IReadOnlyList<IPAddress> addresses = [];
        if (root.TryGetProperty("status", out var status))
        {
            if (status.TryGetProperty("podIPs", out var ips) && ips.ValueKind == JsonValueKind.Array)
            {
                addresses = Addresses(ips);
            }
            else if (status.TryGetProperty("podIP", out var ip) && ip.GetString() is { Length: > 0 } text)
            {
                addresses = [IPAddress.Parse(text)];
            }
        }

        List<ContainerPort>? ports = null;
        if (root.TryGetProperty("spec", out var spec) && spec.TryGetProperty("containers", out var containers))
        {
            foreach (var container in containers.EnumerateArray())
            {
                if (!container.TryGetProperty("ports", out var list))
                {
                    continue;
                }

                foreach (var port in list.EnumerateArray())
                {
                    if (port.TryGetProperty("name", out var name) && name.GetString() is { Length: > 0 } portName)
                    {
                        var protocol = port.TryGetProperty("protocol", out var p) && PolicyProtocols.TryParse(p.GetString(), out var parsed) ? parsed : PolicyProtocol.Tcp;
                        (ports ??= []).Add(new ContainerPort(portName, port.GetProperty("containerPort").GetInt32(), protocol));
                    }
                }
            }
        }

        return new Endpoint(Text(metadata, "namespace") ?? "default", metadata.GetProperty("name").GetString()!, Labels(metadata), addresses, ports is null ? [] : ports.ToArray(), hostInterface);
    }

    /// <summary>The addresses of status.podIPs (entries without an ip are skipped).</summary>
    private static IPAddress[] Addresses(JsonElement ips)
    {
        var addresses = new List<IPAddress>(ips.GetArrayLength());
        foreach (var entry in ips.EnumerateArray())
        {
            if (!entry.TryGetProperty("ip", out var ip) || ip.ValueKind == JsonValueKind.Null)
            {
                continue;
            }

            // Parsed from the document's own UTF-8 where the text has no escapes: no string per address.
            var raw = ip.ValueKind == JsonValueKind.String ? JsonMarshal.GetRawUtf8Value(ip) : default;
            addresses.Add(raw.Length >= 2 && raw.IndexOf((byte)'\\') < 0 ? IPAddress.Parse(raw[1..^1]) : IPAddress.Parse(ip.GetString()!));
        }

        return addresses.ToArray();
    }

    /// <summary>A NetworkPolicy, validated; throws <see cref="PolicyResourceException"/> naming each bad field.</summary>
    public static NetworkPolicy ReadNetworkPolicy(string json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        var metadata = root.GetProperty("metadata");
        var key = $"{Text(metadata, "namespace") ?? "default"}/{Text(metadata, "name")}";
        var errors = new List<PolicyError>();
        var spec = root.TryGetProperty("spec", out var s) ? s : default;
        var podSelector = spec.ValueKind == JsonValueKind.Object && spec.TryGetProperty("podSelector", out var ps) ? Selector(ps, "spec.podSelector", errors) : LabelSelector.Everything;
        var types = PolicyTypesReader.Read(spec, "policyTypes", errors);

        var policy = new NetworkPolicy(
            Text(metadata, "namespace") ?? "default",
            Text(metadata, "name") ?? "",
            podSelector,
            Rules(spec, "ingress", "from", errors),
            Rules(spec, "egress", "to", errors),
            types);
        errors.AddRange(NetworkPolicyValidator.Validate(policy));
        return errors.Count > 0 ? throw new PolicyResourceException($"NetworkPolicy {key}", errors) : policy;
    }

    private static List<NetworkPolicyRule> Rules(JsonElement spec, string direction, string peersField, List<PolicyError> errors)
    {
        var rules = new List<NetworkPolicyRule>();
        if (spec.ValueKind != JsonValueKind.Object || !spec.TryGetProperty(direction, out var list) || list.ValueKind != JsonValueKind.Array)
        {
            return rules;
        }

        var i = 0;
        foreach (var rule in list.EnumerateArray())
        {
            var at = $"spec.{direction}[{i}]";
            var peers = new List<NetworkPolicyPeer>();
            if (rule.TryGetProperty(peersField, out var peerList) && peerList.ValueKind == JsonValueKind.Array)
            {
                var j = 0;
                foreach (var peer in peerList.EnumerateArray())
                {
                    peers.Add(Peer(peer, $"{at}.{peersField}[{j++}]", errors));
                }
            }

            var ports = new List<NetworkPolicyPort>();
            if (rule.TryGetProperty("ports", out var portList) && portList.ValueKind == JsonValueKind.Array)
            {
                var j = 0;
                foreach (var port in portList.EnumerateArray())
                {
                    ports.Add(Port(port, $"{at}.ports[{j++}]", errors));
                }
            }

            rules.Add(new NetworkPolicyRule(peers, ports));
            i++;
        }

        return rules;
    }

    private static NetworkPolicyPeer Peer(JsonElement peer, string at, List<PolicyError> errors)
    {
        var pods = peer.TryGetProperty("podSelector", out var p) ? Selector(p, $"{at}.podSelector", errors) : null;
        var namespaces = peer.TryGetProperty("namespaceSelector", out var n) ? Selector(n, $"{at}.namespaceSelector", errors) : null;
        IpBlock? block = null;
        if (peer.TryGetProperty("ipBlock", out var b))
        {
            var except = b.TryGetProperty("except", out var e) && e.ValueKind == JsonValueKind.Array
                ? e.EnumerateArray().Select(x => x.GetString() ?? "").ToArray()
                : [];
            block = new IpBlock(Text(b, "cidr") ?? "", except);
        }

        return new NetworkPolicyPeer(pods, namespaces, block);
    }

    private static NetworkPolicyPort Port(JsonElement port, string at, List<PolicyError> errors)
    {
        var protocol = PolicyProtocol.Tcp;
        if (port.TryGetProperty("protocol", out var p) && !PolicyProtocols.TryParse(p.GetString(), out protocol))
        {
            errors.Add(new PolicyError($"{at}.protocol", $"\"{p}\" is not a protocol: use TCP, UDP or SCTP"));
        }

        PortReference? reference = null;
        if (port.TryGetProperty("port", out var value))
        {
            reference = value.ValueKind == JsonValueKind.Number ? PortReference.Numeric(value.GetInt32())
                : int.TryParse(value.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out var number) ? PortReference.Numeric(number)
                : PortReference.Named(value.GetString() ?? "?");
        }

        int? end = port.TryGetProperty("endPort", out var e) && e.ValueKind == JsonValueKind.Number ? e.GetInt32() : null;
        return new NetworkPolicyPort(protocol, reference, end);
    }

    private static LabelSelector Selector(JsonElement selector, string at, List<PolicyError> errors)
    {
        if (selector.ValueKind != JsonValueKind.Object)
        {
            errors.Add(new PolicyError(at, "a selector is a mapping of matchLabels and matchExpressions"));
            return LabelSelector.Everything;
        }

        var labels = selector.TryGetProperty("matchLabels", out var m) && m.ValueKind == JsonValueKind.Object
            ? m.EnumerateObject().ToDictionary(x => x.Name, x => x.Value.ToString(), StringComparer.Ordinal)
            : null;
        var expressions = new List<LabelSelectorRequirement>();
        if (selector.TryGetProperty("matchExpressions", out var list) && list.ValueKind == JsonValueKind.Array)
        {
            foreach (var expression in list.EnumerateArray())
            {
                var values = expression.TryGetProperty("values", out var v) && v.ValueKind == JsonValueKind.Array
                    ? v.EnumerateArray().Select(x => x.ToString()).ToArray()
                    : [];
                expressions.Add(new LabelSelectorRequirement(Text(expression, "key") ?? "", Text(expression, "operator") ?? "", values));
            }
        }

        return new LabelSelector(labels, expressions);
    }

    private static Dictionary<string, string> Labels(JsonElement metadata)
    {
        if (!metadata.TryGetProperty("labels", out var labels) || labels.ValueKind != JsonValueKind.Object)
        {
            return new Dictionary<string, string>(StringComparer.Ordinal);
        }

        var dictionary = new Dictionary<string, string>(labels.GetPropertyCount(), StringComparer.Ordinal);
        foreach (var label in labels.EnumerateObject())
        {
            dictionary.Add(label.Name, label.Value.ToString());
        }

        return dictionary;
    }

    private static string? Text(JsonElement element, string property) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
