using System.Text.Json;
using System.Text.Json.Serialization;

namespace Routing.Cni.Config;

/// <summary>
/// The network configuration on stdin (spec section "Configuration format"), with this plugin's
/// own keys. Field names follow Calico's CNI config where the concept is the same.
/// </summary>
internal sealed class NetworkConfig
{
    [JsonPropertyName("cniVersion")]
    public string? CniVersion { get; set; }

    [JsonPropertyName("name")]
    public string? Name { get; set; }

    [JsonPropertyName("type")]
    public string? Type { get; set; }

    /// <summary>MTU of both veth ends; 0 or absent: the kernel's default (1500).</summary>
    [JsonPropertyName("mtu")]
    public int? Mtu { get; set; }

    /// <summary>The agent's API socket (IPAM).</summary>
    [JsonPropertyName("agentSocket")]
    public string? AgentSocket { get; set; }

    /// <summary>How long an agent call may take before the plugin gives up with "try again later".</summary>
    [JsonPropertyName("agentTimeoutSeconds")]
    public double? AgentTimeoutSeconds { get; set; }

    /// <summary>The host veth's name prefix (Calico: <c>cali</c>).</summary>
    [JsonPropertyName("vethPrefix")]
    public string? VethPrefix { get; set; }

    [JsonPropertyName("ipam")]
    public IpamConfig? Ipam { get; set; }

    [JsonPropertyName("runtimeConfig")]
    public RuntimeConfig? RuntimeConfig { get; set; }

    /// <summary>The previous plugin's result when chained (ADD), or the result to verify (CHECK).</summary>
    [JsonPropertyName("prevResult")]
    public JsonElement? PrevResult { get; set; }

    /// <summary>GC (CNI 1.1): the attachments the runtime still knows.</summary>
    [JsonPropertyName("cni.dev/valid-attachments")]
    public List<Attachment>? ValidAttachments { get; set; }

    /// <summary>The same, under the name a draft of CNI 1.1 used.</summary>
    [JsonPropertyName("cni.dev/attachments")]
    public List<Attachment>? Attachments { get; set; }
}

internal sealed class IpamConfig
{
    [JsonPropertyName("type")]
    public string? Type { get; set; }

    /// <summary>Calico writes these as strings ("true"); a JSON boolean is accepted as well.</summary>
    [JsonPropertyName("assign_ipv4")]
    public JsonElement? AssignIPv4 { get; set; }

    [JsonPropertyName("assign_ipv6")]
    public JsonElement? AssignIPv6 { get; set; }

    [JsonPropertyName("ipv4_pools")]
    public List<string>? IPv4Pools { get; set; }

    [JsonPropertyName("ipv6_pools")]
    public List<string>? IPv6Pools { get; set; }
}

internal sealed class RuntimeConfig
{
    /// <summary>The "ips" capability: exact addresses for the pod (CIDR or bare).</summary>
    [JsonPropertyName("ips")]
    public List<string>? Ips { get; set; }

    [JsonPropertyName("mtu")]
    public int? Mtu { get; set; }
}

internal sealed class Attachment
{
    [JsonPropertyName("containerID")]
    public string? ContainerId { get; set; }

    [JsonPropertyName("ifname")]
    public string? IfName { get; set; }
}
