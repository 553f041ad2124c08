using System.Net;
using System.Text.Json;
using Routing.Cni.Protocol;
using Routing.Cni.Results;

namespace Routing.Cni.Config;

/// <summary>
/// Reads and validates stdin: malformed JSON is error 6 (decode failure), a well-formed document
/// with a wrong field is error 7 naming the field, an unsupported cniVersion is error 1.
/// </summary>
internal static class NetworkConfigReader
{
    /// <summary>The cniVersion the document asks for, if it can be read at all (errors answer in it).</summary>
    public static string? PeekVersion(ReadOnlySpan<byte> json)
    {
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            using var document = JsonDocument.ParseValue(ref reader);
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("cniVersion", out var v) && v.ValueKind == JsonValueKind.String
                ? v.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public static PluginConfig Read(ReadOnlySpan<byte> json, CniCommand command)
    {
        NetworkConfig raw;
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            using var document = JsonDocument.ParseValue(ref reader);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new CniException(CniErrorCode.DecodeFailure, "the network configuration on stdin is not a JSON object");
            }

            try
            {
                raw = document.RootElement.Deserialize(CniJsonContext.Default.NetworkConfig)!;
            }
            catch (JsonException e)
            {
                throw new CniException(CniErrorCode.InvalidNetworkConfig, $"network configuration field {FieldOf(e.Path)} has the wrong type", e.Message);
            }
        }
        catch (JsonException e)
        {
            throw new CniException(CniErrorCode.DecodeFailure, "the network configuration on stdin is not valid JSON", e.Message);
        }

        // libcni treats a missing cniVersion as 0.1.0, which this plugin no longer speaks.
        var version = string.IsNullOrEmpty(raw.CniVersion) ? "0.1.0" : raw.CniVersion;
        if (!CniVersions.IsSupported(version))
        {
            throw new CniException(CniErrorCode.IncompatibleVersion,
                $"cniVersion {version} is not supported by routing-cni",
                $"supported versions: {string.Join(", ", CniVersions.Supported)}");
        }

        var introduced = CniVersions.IntroducedIn(command);
        if (CniVersions.Compare(version, introduced) < 0)
        {
            throw new CniException(CniErrorCode.IncompatibleVersion,
                $"cniVersion {version} does not define {command.ToString().ToUpperInvariant()}",
                $"{command.ToString().ToUpperInvariant()} needs cniVersion {introduced} or later");
        }

        if (string.IsNullOrWhiteSpace(raw.Name))
        {
            throw new CniException(CniErrorCode.InvalidNetworkConfig, "network configuration field name is missing", "name the network, e.g. \"name\": \"k8s-pod-network\"");
        }

        if (raw.Type is not null && raw.Type != PluginConfig.PluginType)
        {
            throw new CniException(CniErrorCode.InvalidNetworkConfig,
                $"network configuration field type is \"{raw.Type}\", not \"{PluginConfig.PluginType}\"", "this plugin is the network type \"routing\"");
        }

        var mtu = raw.RuntimeConfig?.Mtu ?? raw.Mtu ?? 0;
        if (mtu != 0 && mtu is < 68 or > 65535)
        {
            throw new CniException(CniErrorCode.InvalidNetworkConfig,
                $"network configuration field {(raw.RuntimeConfig?.Mtu is not null ? "runtimeConfig.mtu" : "mtu")} is {mtu}", "an MTU is between 68 and 65535");
        }

        var timeout = raw.AgentTimeoutSeconds ?? 10;
        if (timeout is <= 0 or > 600)
        {
            throw new CniException(CniErrorCode.InvalidNetworkConfig, $"network configuration field agentTimeoutSeconds is {timeout}", "give a number of seconds between 0 and 600");
        }

        var prefix = raw.VethPrefix ?? PluginConfig.DefaultVethPrefix;
        if (prefix.Length is 0 or > 4 || !prefix.All(char.IsAsciiLetterOrDigit))
        {
            // The hash needs 11 of the 15 characters the kernel allows to keep names distinct.
            throw new CniException(CniErrorCode.InvalidNetworkConfig, $"network configuration field vethPrefix \"{prefix}\" is not 1–4 letters or digits", "e.g. \"cali\"");
        }

        var assign4 = Flag(raw.Ipam?.AssignIPv4, "ipam.assign_ipv4", true);
        var assign6 = Flag(raw.Ipam?.AssignIPv6, "ipam.assign_ipv6", false);
        var requested = (raw.RuntimeConfig?.Ips ?? []).Select(ParseRequestedAddress).ToList();
        if (!assign4 && !assign6 && requested.Count == 0)
        {
            throw new CniException(CniErrorCode.InvalidNetworkConfig, "network configuration fields ipam.assign_ipv4 and ipam.assign_ipv6 are both false", "assign at least one family");
        }

        PodResult? prevResult = null;
        if (raw.PrevResult is { ValueKind: JsonValueKind.Object } prev)
        {
            prevResult = PodResult.Parse(prev, "prevResult");
        }

        var attachments = raw.ValidAttachments ?? raw.Attachments;
        return new PluginConfig
        {
            CniVersion = version,
            Name = raw.Name,
            Mtu = mtu,
            AgentSocket = string.IsNullOrEmpty(raw.AgentSocket) ? PluginConfig.DefaultAgentSocket : raw.AgentSocket,
            AgentTimeout = TimeSpan.FromSeconds(timeout),
            VethPrefix = prefix,
            AssignIPv4 = assign4,
            AssignIPv6 = assign6,
            Pools = [.. raw.Ipam?.IPv4Pools ?? [], .. raw.Ipam?.IPv6Pools ?? []],
            RequestedAddresses = requested,
            PrevResult = prevResult,
            ValidAttachments = attachments?.Select((a, i) => AttachmentKey(a, i)).ToHashSet(StringComparer.Ordinal),
        };

        string AttachmentKey(Attachment a, int index) =>
            string.IsNullOrEmpty(a.ContainerId) || string.IsNullOrEmpty(a.IfName)
                ? throw new CniException(CniErrorCode.InvalidNetworkConfig, $"network configuration field cni.dev/valid-attachments[{index}] needs containerID and ifname")
                : $"{raw.Name}.{a.ContainerId}.{a.IfName}";
    }

    private static IPAddress ParseRequestedAddress(string text, int index)
    {
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        var address = slash < 0 ? text : text[..slash];
        return IPAddress.TryParse(address, out var ip)
            ? ip
            : throw new CniException(CniErrorCode.InvalidNetworkConfig,
                $"network configuration field runtimeConfig.ips[{index}] \"{text}\" is not an IP address", "e.g. \"10.244.1.7/32\"");
    }

    private static bool Flag(JsonElement? value, string field, bool fallback) => value switch
    {
        null => fallback,
        { ValueKind: JsonValueKind.True } => true,
        { ValueKind: JsonValueKind.False } => false,
        { ValueKind: JsonValueKind.String } s when bool.TryParse(s.GetString(), out var b) => b,
        { ValueKind: JsonValueKind.Null } => fallback,
        _ => throw new CniException(CniErrorCode.InvalidNetworkConfig, $"network configuration field {field} is not true or false", "write \"true\" or \"false\""),
    };

    /// <summary>"$.ipam.ipv4_pools" → "ipam.ipv4_pools".</summary>
    private static string FieldOf(string? path) =>
        string.IsNullOrEmpty(path) ? "(root)" : path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path.TrimStart('$');
}
