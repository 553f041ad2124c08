using Routing.TestKit.Processes;

namespace Routing.TestKit.Namespaces;

/// <summary>A veth pair: <see cref="A"/>'s end is <see cref="AName"/>, <see cref="B"/>'s end is <see cref="BName"/>.</summary>
public sealed record VethPair(NetNs A, string AName, NetNs? B, string BName)
{
    /// <summary>
    /// Creates a veth pair with each end placed directly in its namespace (it never appears in the
    /// host's), both ends up.
    /// </summary>
    public static async Task<VethPair> CreateAsync(NetNs a, NetNs b, string? aName = null, string? bName = null, int? mtu = null)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        aName ??= a.NewInterfaceName();
        bName ??= b.NewInterfaceName();
        List<string> args = ["link", "add", "name", aName, "netns", a.Name];
        if (mtu is { } m)
        {
            args.AddRange(["mtu", m.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        }

        args.AddRange(["type", "veth", "peer", "name", bName, "netns", b.Name]);
        await Command.OutputOfAsync("ip", [.. args]).ConfigureAwait(false);
        await a.SetUpAsync(aName).ConfigureAwait(false);
        await b.SetUpAsync(bName).ConfigureAwait(false);
        return new VethPair(a, aName, b, bName);
    }

    /// <summary>
    /// Creates a veth pair from <paramref name="ns"/> to the host's namespace. The host end is named
    /// with the run's prefix and disappears when <paramref name="ns"/> is deleted. Only for tests that
    /// need it: the host namespace is otherwise left alone.
    /// </summary>
    public static async Task<VethPair> CreateToHostAsync(NetNs ns, string? nsName = null)
    {
        ArgumentNullException.ThrowIfNull(ns);
        nsName ??= ns.NewInterfaceName();
        var hostName = $"rt{TestRun.OwnerPid % 100000}h{ns.NewInterfaceName("")}";
        await Command.OutputOfAsync("ip", "link", "add", "name", nsName, "netns", ns.Name, "type", "veth", "peer", "name", hostName)
            .ConfigureAwait(false);
        await ns.SetUpAsync(nsName).ConfigureAwait(false);
        await Command.OutputOfAsync("ip", "link", "set", hostName, "up").ConfigureAwait(false);
        return new VethPair(ns, nsName, null, hostName);
    }
}
