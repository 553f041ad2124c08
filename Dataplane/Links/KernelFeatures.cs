using System.Collections.Concurrent;
using Routing.Dataplane.Native;
using Routing.Dataplane.Netlink;

namespace Routing.Dataplane.Links;

/// <summary>
/// Kernel features found missing in one namespace, remembered so that a sync loop reports each
/// once and then stops asking (a missing module does not appear between syncs). Keep one
/// instance per namespace, next to its connection; it is safe to share between threads.
/// </summary>
public sealed class KernelFeatures
{
    private readonly ConcurrentDictionary<string, KernelFeatureMissingException> missing = new(StringComparer.Ordinal);

    /// <summary>The alternative offered per device kind a tunnel mode needs.</summary>
    public static string AlternativeTo(string kind) => kind switch
    {
        "ipip" => "VXLAN (ipipMode: Never with vxlanMode: Always or CrossSubnet on the IP pool)",
        "vxlan" => "IPIP (vxlanMode: Never with ipipMode: Always or CrossSubnet on the IP pool), if the kernel has ipip",
        _ => "a kernel with this module",
    };

    /// <summary>
    /// Whether <paramref name="error"/> (from creating a <paramref name="kind"/> device) means the
    /// kernel lacks that kind: EOPNOTSUPP, which rtnetlink answers for a kind it has no module for.
    /// </summary>
    public static bool IsMissingKind(NetlinkException error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return error.Errno == Errno.EOPNOTSUPP;
    }

    /// <summary>The features found missing so far.</summary>
    public IReadOnlyCollection<string> Missing => [.. missing.Keys];

    /// <summary>The error <paramref name="feature"/> was found missing with, or null if it was not (or not yet tried).</summary>
    public KernelFeatureMissingException? MissingError(string feature) => missing.TryGetValue(feature, out var error) ? error : null;

    /// <summary>Records a missing feature; true only the first time, when the caller should report it.</summary>
    public bool Record(KernelFeatureMissingException error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return missing.TryAdd(error.Feature, error);
    }
}
