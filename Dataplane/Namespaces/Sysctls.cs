namespace Routing.Dataplane.Namespaces;

/// <summary>
/// Kernel parameters under /proc/sys/net, which are per network namespace: the namespace that
/// counts is the one of the thread that opens the file, so reads and writes run inside
/// <see cref="NetworkNamespace.Run{T}"/>.
/// </summary>
public static class Sysctls
{
    /// <summary>Writes a sysctl by its dotted key ("net.ipv4.ip_forward") in <paramref name="ns"/> (null: the caller's).</summary>
    public static void Write(NetworkNamespace? ns, string key, string value) =>
        InNamespace(ns, () => WriteFile(PathOf(key), value));

    public static string Read(NetworkNamespace? ns, string key) =>
        InNamespace(ns, () => File.ReadAllText(PathOf(key)).TrimEnd('\n'));

    /// <summary>
    /// Writes a per-interface setting: net.ipv4.conf.IFNAME.SETTING (forwarding, proxy_arp,
    /// rp_filter, …) or net.ipv6.conf.IFNAME.SETTING. The interface name is a path segment
    /// of its own, so names with dots (VLANs) need no escaping.
    /// </summary>
    public static void WriteInterface(NetworkNamespace? ns, bool ipv6, string interfaceName, string setting, string value) =>
        InNamespace(ns, () => WriteFile(InterfacePath(ipv6, interfaceName, setting), value));

    public static string ReadInterface(NetworkNamespace? ns, bool ipv6, string interfaceName, string setting) =>
        InNamespace(ns, () => File.ReadAllText(InterfacePath(ipv6, interfaceName, setting)).TrimEnd('\n'));

    /// <summary>"net.ipv4.ip_forward" → /proc/sys/net/ipv4/ip_forward.</summary>
    public static string PathOf(string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        if (key.Contains("..", StringComparison.Ordinal) || key.Contains('/', StringComparison.Ordinal))
        {
            throw new ArgumentException($"'{key}' is not a sysctl key: use dots between its parts", nameof(key));
        }

        return "/proc/sys/" + key.Replace('.', '/');
    }

    private static string InterfacePath(bool ipv6, string interfaceName, string setting)
    {
        ArgumentException.ThrowIfNullOrEmpty(interfaceName);
        ArgumentException.ThrowIfNullOrEmpty(setting);
        if (interfaceName.Contains('/', StringComparison.Ordinal) || interfaceName is "." or ".." || setting.Contains('/', StringComparison.Ordinal))
        {
            throw new ArgumentException($"'{interfaceName}' / '{setting}' is not an interface name and setting");
        }

        return $"/proc/sys/net/{(ipv6 ? "ipv6" : "ipv4")}/conf/{interfaceName}/{setting}";
    }

    private static void WriteFile(string path, string value)
    {
        try
        {
            File.WriteAllText(path, value);
        }
        catch (IOException e)
        {
            throw new IOException($"write '{value}' to {path}: {e.Message}", e);
        }
    }

    private static T InNamespace<T>(NetworkNamespace? ns, Func<T> action) => ns is null ? action() : ns.Run(action);

    private static void InNamespace(NetworkNamespace? ns, Action action)
    {
        if (ns is null)
        {
            action();
        }
        else
        {
            ns.Run(action);
        }
    }
}
