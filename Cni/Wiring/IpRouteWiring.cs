using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Routing.Cni.Protocol;
using Routing.Cni.Results;

namespace Routing.Cni.Wiring;

/// <summary>
/// <see cref="IPodWiring"/> by running iproute2 (<c>ip -n NETNS …</c>, <c>ip -j</c> to read):
/// a stand-in until the Dataplane rtnetlink client is merged, kept to this one class.
/// </summary>
internal sealed class IpRouteWiring : IPodWiring
{
    private readonly string ip;

    public IpRouteWiring(string? ipPath = null)
    {
        ip = ipPath ?? (File.Exists("/usr/sbin/ip") ? "/usr/sbin/ip" : File.Exists("/sbin/ip") ? "/sbin/ip" : "ip");
    }

    public bool LinkExists(string? netns, string name) =>
        Run(netns, ["link", "show", "dev", name], allowFailure: true).ExitCode == 0;

    public void CreateVeth(string hostName, string hostMac, string netns, string podName, string podMac, int mtu)
    {
        string[] mtuArgs = mtu > 0 ? ["mtu", mtu.ToString(CultureInfo.InvariantCulture)] : [];
        Run(null, ["link", "add", hostName, "address", hostMac, .. mtuArgs, "type", "veth", "peer", "name", podName, "address", podMac, .. mtuArgs, "netns", netns]);
        SetUp(netns, podName);
    }

    public void SetUp(string? netns, string name) => Run(netns, ["link", "set", "dev", name, "up"]);

    public void AddAddress(string netns, string device, IpCidr address) =>
        Run(netns, ["address", "add", address.ToString(), "dev", device, .. address.IsIPv4 ? Array.Empty<string>() : ["nodad"]]);

    public void AddRoute(string? netns, IpCidr destination, string device, IPAddress? via, bool linkScope, int? protocol)
    {
        var args = new List<string> { destination.IsIPv4 ? "-4" : "-6", "route", "add", destination.ToString() };
        if (via is not null)
        {
            args.AddRange(["via", via.ToString()]);
        }

        args.AddRange(["dev", device]);
        if (linkScope)
        {
            args.AddRange(["scope", "link"]);
        }

        if (protocol is { } p)
        {
            args.AddRange(["proto", p.ToString(CultureInfo.InvariantCulture)]);
        }

        Run(netns, args);
    }

    public void SetSysctl(string key, string value)
    {
        try
        {
            File.WriteAllText(Path.Combine("/proc/sys/net", key), value);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CniException(CniErrorCode.WiringFailed, $"cannot set net.{key.Replace('/', '.')} to {value}", e);
        }
    }

    public bool DeleteLink(string? netns, string name)
    {
        if (netns is not null && !File.Exists(netns))
        {
            return false;
        }

        var result = Run(netns, ["link", "del", "dev", name], allowFailure: true);
        return result.ExitCode == 0 || (LinkExists(netns, name) ? throw Failed(netns, ["link", "del", "dev", name], result.Error) : false);
    }

    public IReadOnlyList<IpCidr> Addresses(string netns, string device)
    {
        using var json = Json(netns, ["address", "show", "dev", device]);
        return [.. json.RootElement.EnumerateArray()
            .SelectMany(link => link.TryGetProperty("addr_info", out var a) ? a.EnumerateArray() : default)
            .Where(a => a.GetProperty("scope").GetString() != "link")
            .Select(a => new IpCidr(IPAddress.Parse(a.GetProperty("local").GetString()!), a.GetProperty("prefixlen").GetInt32()))];
    }

    public IReadOnlyList<KernelRoute> Routes(string? netns, bool ipv6)
    {
        using var json = Json(netns, [ipv6 ? "-6" : "-4", "route", "show"]);
        return [.. json.RootElement.EnumerateArray().Select(r => new KernelRoute(
            r.GetProperty("dst").GetString()!,
            r.TryGetProperty("gateway", out var gw) ? IPAddress.Parse(gw.GetString()!) : null,
            r.TryGetProperty("dev", out var dev) ? dev.GetString() : null,
            r.TryGetProperty("scope", out var scope) ? scope.GetString() : null,
            r.TryGetProperty("protocol", out var proto) ? proto.ToString() : null))];
    }

    public string? MacAddress(string? netns, string device)
    {
        var result = Run(netns, ["-j", "link", "show", "dev", device], allowFailure: true);
        if (result.ExitCode != 0)
        {
            return null;
        }

        using var json = JsonDocument.Parse(result.Output);
        return json.RootElement.EnumerateArray().Select(l => l.TryGetProperty("address", out var a) ? a.GetString() : null).FirstOrDefault();
    }

    private JsonDocument Json(string? netns, IReadOnlyList<string> args) =>
        JsonDocument.Parse(Run(netns, ["-j", .. args]).Output is { Length: > 0 } text ? text : "[]");

    private (int ExitCode, string Output, string Error) Run(string? netns, IReadOnlyList<string> args, bool allowFailure = false)
    {
        // `ip -n` takes a name under /run/netns only; any other path (/proc/PID/ns/net) goes through nsenter.
        var named = netns is not null && Path.GetDirectoryName(netns) is "/run/netns" or "/var/run/netns";
        var info = new ProcessStartInfo(netns is null || named ? ip : "nsenter")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (named)
        {
            info.ArgumentList.Add("-n");
            info.ArgumentList.Add(Path.GetFileName(netns)!);
        }
        else if (netns is not null)
        {
            info.ArgumentList.Add($"--net={netns}");
            info.ArgumentList.Add(ip);
        }

        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info) ?? throw new CniException(CniErrorCode.WiringFailed, $"cannot run {ip}");
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        var result = (process.ExitCode, output, error.GetAwaiter().GetResult().Trim());
        return result.ExitCode == 0 || allowFailure ? result : throw Failed(netns, args, result.Item3);
    }

    private CniException Failed(string? netns, IReadOnlyList<string> args, string error) =>
        new(CniErrorCode.WiringFailed,
            $"`{ip}{(netns is null ? string.Empty : " -n " + netns)} {string.Join(' ', args)}` failed: {error}",
            netns is null ? "in the node's namespace" : $"in the pod's namespace {netns}");
}
