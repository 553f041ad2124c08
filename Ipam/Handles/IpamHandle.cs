using System.Collections.Immutable;
using Routing.Ipam.Store;

namespace Routing.Ipam.Handles;

/// <summary>
/// What one owner (a pod's attachment, a node's tunnel) holds: per block, how many addresses.
/// Written before the block on allocation and after it on release, so it never counts fewer
/// addresses than the blocks hold for it, and release by handle finds every block to visit.
/// </summary>
public sealed record IpamHandle(string HandleId, ImmutableSortedDictionary<string, int> Blocks) : IIpamRecord
{
    /// <summary>The prefix of the handles the CNI plugin records pod attachments under.</summary>
    public const string PodNetworkPrefix = "k8s-pod-network";

    public IpamHandle(string handleId)
        : this(handleId, ImmutableSortedDictionary<string, int>.Empty.WithComparers(StringComparer.Ordinal))
    {
    }

    /// <summary>The store key: the handle id itself.</summary>
    public string Name => HandleId;

    /// <summary>Addresses held over all blocks.</summary>
    public int Total => Blocks.Values.Sum();

    /// <summary>The handle of a pod attachment: "k8s-pod-network.CONTAINER.IFNAME" (or without the interface).</summary>
    public static string ForAttachment(string containerId, string? interfaceName = null) =>
        string.IsNullOrEmpty(interfaceName)
            ? $"{PodNetworkPrefix}.{containerId}"
            : $"{PodNetworkPrefix}.{containerId}.{interfaceName}";

    /// <summary>The count in one block (keyed by the block's CIDR text) moved by <paramref name="delta"/>; entries reaching zero go.</summary>
    public IpamHandle WithDelta(string blockCidr, int delta)
    {
        var count = Blocks.GetValueOrDefault(blockCidr) + delta;
        return this with { Blocks = count > 0 ? Blocks.SetItem(blockCidr, count) : Blocks.Remove(blockCidr) };
    }

    public bool Equals(IpamHandle? other) =>
        other is not null && HandleId == other.HandleId && Blocks.Count == other.Blocks.Count
        && Blocks.All(pair => other.Blocks.TryGetValue(pair.Key, out var count) && count == pair.Value);

    public override int GetHashCode() => HashCode.Combine(HandleId, Blocks.Count);
}
