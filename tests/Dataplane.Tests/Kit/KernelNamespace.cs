using Routing.Dataplane;
using Routing.Dataplane.Namespaces;
using Routing.TestKit.Namespaces;

namespace Routing.Dataplane.Tests.Kit;

/// <summary>
/// A namespace made by the test kit (named with this run's prefix, deleted at dispose even when
/// the test failed), opened for the Dataplane API, with an rtnetlink connection into it.
/// </summary>
public sealed class KernelNamespace : IAsyncDisposable
{
    private KernelNamespace(NetNs ns, NetworkNamespace handle, Rtnetlink kernel)
    {
        NetNs = ns;
        Namespace = handle;
        Kernel = kernel;
    }

    public NetNs NetNs { get; }

    public NetworkNamespace Namespace { get; }

    public Rtnetlink Kernel { get; }

    public string Name => NetNs.Name;

    public static async Task<KernelNamespace> CreateAsync(string label)
    {
        var ns = await NetNs.CreateAsync(label);
        NetworkNamespace? handle = null;
        try
        {
            handle = NetworkNamespace.Open(ns.Path);
            return new KernelNamespace(ns, handle, Rtnetlink.Open(handle));
        }
        catch
        {
            handle?.Dispose();
            await ns.DisposeAsync();
            throw;
        }
    }

    /// <summary><c>ip -n NAME …</c>, throwing on failure.</summary>
    public Task<string> IpAsync(params string[] arguments) => NetNs.IpAsync(arguments);

    /// <summary>The interface index of a device, read with <c>ip -j link</c>.</summary>
    public async Task<int> IndexOfAsync(string device)
    {
        var json = await IpAsync("-j", "link", "show", "dev", device);
        using var doc = System.Text.Json.JsonDocument.Parse(json);
        return doc.RootElement[0].GetProperty("ifindex").GetInt32();
    }

    /// <summary>A veth pair inside this namespace with the first end up and an address on it: gateways in its subnet resolve.</summary>
    public async Task<int> AddUplinkAsync(string name, string cidr)
    {
        await IpAsync("link", "add", name, "type", "veth", "peer", "name", name + "p");
        await IpAsync("link", "set", name + "p", "up");
        await IpAsync("link", "set", name, "up");
        await IpAsync("address", "add", cidr, "dev", name);
        return await IndexOfAsync(name);
    }

    public async ValueTask DisposeAsync()
    {
        Kernel.Dispose();
        Namespace.Dispose();
        await NetNs.DisposeAsync();
    }
}
