using Routing.Dataplane.Netlink;

namespace Routing.Dataplane.Links;

/// <summary>
/// The kernel lacks what a request needs (a device kind whose module is neither loaded nor
/// loadable), as opposed to refusing this one request. Retrying cannot help, so callers report it
/// once (<see cref="KernelFeatures"/>) naming the feature and what to use instead, rather than a
/// stack trace on every sync.
/// </summary>
public sealed class KernelFeatureMissingException : Exception
{
    public KernelFeatureMissingException()
    {
        Feature = string.Empty;
        Alternative = string.Empty;
    }

    public KernelFeatureMissingException(string message)
        : base(message)
    {
        Feature = string.Empty;
        Alternative = string.Empty;
    }

    public KernelFeatureMissingException(string message, Exception innerException)
        : base(message, innerException)
    {
        Feature = string.Empty;
        Alternative = string.Empty;
    }

    public KernelFeatureMissingException(string feature, string alternative, NetlinkException cause)
        : base(Format(feature, alternative, cause), cause)
    {
        Feature = feature;
        Alternative = alternative;
    }

    /// <summary>The missing feature, named as its kernel module: "ipip".</summary>
    public string Feature { get; }

    /// <summary>What to configure instead, in the user's terms: "VXLAN (vxlanMode: Always or CrossSubnet)".</summary>
    public string Alternative { get; }

    public static string Format(string feature, string alternative, NetlinkException? cause) =>
        $"the kernel has no {feature} support (the {feature} module is not loaded and could not be loaded"
        + (cause is null ? string.Empty : $"; {cause.Message}")
        + $"); use {alternative} instead";
}
