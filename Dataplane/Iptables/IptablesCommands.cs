using System.Net.Sockets;

namespace Routing.Dataplane.Iptables;

/// <summary>
/// The save/restore executables for a backend and address family, named explicitly
/// (iptables-nft-restore, ip6tables-legacy-save …) so that the alternatives link behind plain
/// <c>iptables</c> never decides for the agent.
/// </summary>
public static class IptablesCommands
{
    public static string Save(IptablesBackend backend, AddressFamily family) => Name(backend, family, "save");

    public static string Restore(IptablesBackend backend, AddressFamily family) => Name(backend, family, "restore");

    private static string Name(IptablesBackend backend, AddressFamily family, string verb)
    {
        var tool = family switch
        {
            AddressFamily.InterNetwork => "iptables",
            AddressFamily.InterNetworkV6 => "ip6tables",
            _ => throw new ArgumentOutOfRangeException(nameof(family), family, "iptables handles IPv4 and IPv6 only"),
        };
        var mode = backend switch
        {
            IptablesBackend.Nft => "nft",
            IptablesBackend.Legacy => "legacy",
            _ => throw new ArgumentOutOfRangeException(nameof(backend), backend, null),
        };
        return $"{tool}-{mode}-{verb}";
    }
}
