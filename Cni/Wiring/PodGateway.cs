using System.Net;

namespace Routing.Cni.Wiring;

/// <summary>
/// Calico's pod wiring constants: the pod's default gateway is a link-local address that only the
/// host's proxy ARP answers for (IPv4), or the host veth's own link-local address (IPv6), which a
/// fixed MAC on every host veth makes the same for every pod.
/// </summary>
internal static class PodGateway
{
    public static readonly IPAddress IPv4 = IPAddress.Parse("169.254.1.1");

    /// <summary>The EUI-64 link-local address of <see cref="HostMac"/>.</summary>
    public static readonly IPAddress IPv6 = IPAddress.Parse("fe80::ecee:eeff:feee:eeee");

    public const string HostMac = "ee:ee:ee:ee:ee:ee";

    /// <summary>
    /// The route protocol number the agent's routes carry (rtnetlink RTPROT_*, 80 is unassigned by
    /// the kernel): the agent owns and cleans up routes with it and no others. Keep in step with Dataplane.
    /// </summary>
    public const int RouteProtocol = 80;
}
