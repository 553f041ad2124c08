using System.Net;

namespace Routing.Dataplane.Routes;

/// <summary>
/// One path of a multipath (ECMP) route: a gateway and/or a device, and a weight (1–256; the
/// kernel stores weight − 1 in rtnh_hops).
/// </summary>
public readonly record struct NextHop(IPAddress? Gateway, int InterfaceIndex = 0, int Weight = 1, bool OnLink = false)
{
    /// <summary>Whether the kernel's <paramref name="actual"/> next hop is this one; a device left as 0 here matches any.</summary>
    public bool IsSatisfiedBy(NextHop actual) =>
        Equals(Gateway, actual.Gateway)
        && (InterfaceIndex == 0 || InterfaceIndex == actual.InterfaceIndex)
        && Weight == actual.Weight
        && OnLink == actual.OnLink;

    public override string ToString()
    {
        var text = Gateway is null ? string.Empty : $"via {Gateway} ";
        text += InterfaceIndex != 0 ? $"dev #{InterfaceIndex} " : string.Empty;
        text += $"weight {Weight}";
        return OnLink ? text + " onlink" : text;
    }
}
