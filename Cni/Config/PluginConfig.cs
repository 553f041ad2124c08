using System.Net;
using System.Text.Json;
using Routing.Cni.Protocol;
using Routing.Cni.Results;

namespace Routing.Cni.Config;

/// <summary>
/// The network configuration after validation, with defaults applied: what the commands use.
/// </summary>
internal sealed record PluginConfig
{
    public const string PluginType = "routing";
    public const string DefaultAgentSocket = "/run/routing/agent.sock";
    public const string DefaultVethPrefix = "cali";

    public required string CniVersion { get; init; }

    public required string Name { get; init; }

    /// <summary>0: leave the kernel's default.</summary>
    public int Mtu { get; init; }

    public string AgentSocket { get; init; } = DefaultAgentSocket;

    public TimeSpan AgentTimeout { get; init; } = TimeSpan.FromSeconds(10);

    public string VethPrefix { get; init; } = DefaultVethPrefix;

    public bool AssignIPv4 { get; init; } = true;

    public bool AssignIPv6 { get; init; }

    public IReadOnlyList<string> Pools { get; init; } = [];

    /// <summary>Exact addresses from runtimeConfig "ips", without prefix lengths.</summary>
    public IReadOnlyList<IPAddress> RequestedAddresses { get; init; } = [];

    public PodResult? PrevResult { get; init; }

    /// <summary>GC: null when the runtime sent no list (then nothing is collected).</summary>
    public IReadOnlySet<string>? ValidAttachments { get; init; }

    /// <summary>The IPAM handle of one attachment, Calico's "&lt;network&gt;.&lt;container&gt;" plus the interface.</summary>
    public string HandleFor(string containerId, string ifName) => $"{Name}.{containerId}.{ifName}";

    /// <summary>Where this network's handles start, for GC.</summary>
    public string HandlePrefix => Name + ".";
}
