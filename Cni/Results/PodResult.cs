using System.Net;
using System.Text.Json;
using Routing.Cni.Protocol;

namespace Routing.Cni.Results;

/// <summary>One interface of a result; <see cref="Sandbox"/> is set for the pod's side only.</summary>
internal sealed record ResultInterface(string Name, string? Mac, string? Sandbox, int? Mtu = null);

/// <summary>An address of a result; <see cref="Interface"/> indexes <see cref="PodResult.Interfaces"/>.</summary>
internal sealed record ResultIp(IpCidr Address, IPAddress? Gateway, int? Interface);

internal sealed record ResultRoute(IpCidr Destination, IPAddress? Gateway);

/// <summary>
/// The result of ADD (spec section "Success"), independent of version: parsed from a prevResult
/// of any supported version and written in the version the configuration asks for.
/// </summary>
internal sealed record PodResult(
    IReadOnlyList<ResultInterface> Interfaces,
    IReadOnlyList<ResultIp> Ips,
    IReadOnlyList<ResultRoute> Routes,
    JsonElement? Dns = null)
{
    public static readonly PodResult Empty = new([], [], []);

    /// <summary>This result followed by <paramref name="next"/>'s entries (chaining), with its interface indexes moved.</summary>
    public PodResult Append(PodResult next)
    {
        ArgumentNullException.ThrowIfNull(next);
        var offset = Interfaces.Count;
        return new PodResult(
            [.. Interfaces, .. next.Interfaces],
            [.. Ips, .. next.Ips.Select(ip => ip with { Interface = ip.Interface + offset })],
            [.. Routes, .. next.Routes],
            Dns ?? next.Dns);
    }

    public static PodResult Parse(JsonElement json, string field)
    {
        try
        {
            var interfaces = Array(json, "interfaces").Select(i => new ResultInterface(
                Text(i, "name") ?? string.Empty, Text(i, "mac"), Text(i, "sandbox"),
                i.TryGetProperty("mtu", out var mtu) && mtu.ValueKind == JsonValueKind.Number ? mtu.GetInt32() : null)).ToList();
            var ips = Array(json, "ips").Select(i => new ResultIp(
                IpCidr.Parse(Text(i, "address") ?? throw new FormatException("an ips entry has no address")),
                Text(i, "gateway") is { } gw ? IPAddress.Parse(gw) : null,
                i.TryGetProperty("interface", out var index) && index.ValueKind == JsonValueKind.Number ? index.GetInt32() : null)).ToList();
            var routes = Array(json, "routes").Select(r => new ResultRoute(
                IpCidr.Parse(Text(r, "dst") ?? throw new FormatException("a routes entry has no dst")),
                Text(r, "gw") is { } gw ? IPAddress.Parse(gw) : null)).ToList();
            JsonElement? dns = json.TryGetProperty("dns", out var d) && d.ValueKind == JsonValueKind.Object ? d.Clone() : null;
            return new PodResult(interfaces, ips, routes, dns);
        }
        catch (Exception e) when (e is FormatException or InvalidOperationException or ArgumentException)
        {
            throw new CniException(CniErrorCode.InvalidNetworkConfig, $"network configuration field {field} is not a CNI result", e.Message);
        }
    }

    public void Write(Utf8JsonWriter json, string cniVersion)
    {
        ArgumentNullException.ThrowIfNull(json);
        var withIpVersion = CniVersions.ResultHasIpVersion(cniVersion);
        var withInterfaceMtu = CniVersions.Compare(cniVersion, "1.1.0") >= 0;
        json.WriteStartObject();
        json.WriteString("cniVersion", cniVersion);
        json.WriteStartArray("interfaces");
        foreach (var i in Interfaces)
        {
            json.WriteStartObject();
            json.WriteString("name", i.Name);
            WriteIfSet(json, "mac", i.Mac);
            WriteIfSet(json, "sandbox", i.Sandbox);
            if (withInterfaceMtu && i.Mtu is { } mtu)
            {
                json.WriteNumber("mtu", mtu);
            }

            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteStartArray("ips");
        foreach (var ip in Ips)
        {
            json.WriteStartObject();
            if (withIpVersion)
            {
                json.WriteString("version", ip.Address.IsIPv4 ? "4" : "6");
            }

            json.WriteString("address", ip.Address.ToString());
            WriteIfSet(json, "gateway", ip.Gateway?.ToString());
            if (ip.Interface is { } index)
            {
                json.WriteNumber("interface", index);
            }

            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteStartArray("routes");
        foreach (var route in Routes)
        {
            json.WriteStartObject();
            json.WriteString("dst", route.Destination.ToString());
            WriteIfSet(json, "gw", route.Gateway?.ToString());
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WritePropertyName("dns");
        if (Dns is { } dns)
        {
            dns.WriteTo(json);
        }
        else
        {
            json.WriteStartObject();
            json.WriteEndObject();
        }

        json.WriteEndObject();
    }

    private static void WriteIfSet(Utf8JsonWriter json, string name, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            json.WriteString(name, value);
        }
    }

    private static JsonElement[] Array(JsonElement json, string name) =>
        json.TryGetProperty(name, out var a) && a.ValueKind == JsonValueKind.Array ? [.. a.EnumerateArray()] : [];

    private static string? Text(JsonElement json, string name) =>
        json.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}
