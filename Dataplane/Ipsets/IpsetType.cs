namespace Routing.Dataplane.Ipsets;

/// <summary>The set types the agent uses (ipset's own names in <see cref="IpsetTypes.KernelName"/>).</summary>
public enum IpsetType
{
    /// <summary>hash:ip — single addresses (pod IPs).</summary>
    HashIp,

    /// <summary>hash:net — prefixes of any length (CIDRs of a policy).</summary>
    HashNet,

    /// <summary>hash:ip,port — an address with a protocol and port (named ports).</summary>
    HashIpPort,

    /// <summary>
    /// hash:net,iface — a prefix and an interface; a policy's local pods as <c>0.0.0.0/0,VETH</c>,
    /// matched by interface (<c>--match-set S src,src</c>: the incoming one, <c>dst,dst</c>: the outgoing one).
    /// </summary>
    HashNetIface,
}

public static class IpsetTypes
{
    public static string KernelName(this IpsetType type) => type switch
    {
        IpsetType.HashIp => "hash:ip",
        IpsetType.HashNet => "hash:net",
        IpsetType.HashIpPort => "hash:ip,port",
        IpsetType.HashNetIface => "hash:net,iface",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    public static IpsetType? FromKernelName(ReadOnlySpan<char> name) => name switch
    {
        "hash:ip" => IpsetType.HashIp,
        "hash:net" => IpsetType.HashNet,
        "hash:ip,port" => IpsetType.HashIpPort,
        "hash:net,iface" => IpsetType.HashNetIface,
        _ => null,
    };
}
