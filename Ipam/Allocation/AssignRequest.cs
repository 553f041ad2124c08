namespace Routing.Ipam.Allocation;

/// <summary>A request for addresses from the pools that select <see cref="Node"/> (the CNI ADD of a pod).</summary>
public sealed record AssignRequest
{
    /// <summary>What the addresses are recorded against, e.g. <c>IpamHandle.ForAttachment(containerId, ifName)</c>.</summary>
    public required string HandleId { get; init; }

    /// <summary>The node asking: its blocks are used first.</summary>
    public required string Node { get; init; }

    /// <summary>Namespace, pod and the like (<see cref="Blocks.IpamAttributes"/>); the node is added.</summary>
    public IReadOnlyDictionary<string, string>? Attributes { get; init; }

    public int IPv4Count { get; init; }

    public int IPv6Count { get; init; }

    /// <summary>Only these pools (by name or CIDR), as the CNI config's <c>ipv4_pools</c>/<c>ipv6_pools</c>; null for any that selects the node.</summary>
    public IReadOnlyList<string>? Pools { get; init; }
}
