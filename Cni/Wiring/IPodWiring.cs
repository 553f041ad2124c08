using System.Net;
using Routing.Cni.Results;

namespace Routing.Cni.Wiring;

/// <summary>A route as the kernel lists it: only what the plugin makes and checks.</summary>
internal sealed record KernelRoute(string Destination, IPAddress? Gateway, string? Device, string? Scope, string? Protocol);

/// <summary>
/// The kernel changes that wire a pod. <c>netns</c> is the pod's namespace (a path, as CNI_NETNS);
/// null means the namespace the plugin runs in (the node's). Implemented with iproute2 until the
/// Dataplane netlink client is merged; nothing else in the plugin touches the kernel.
/// </summary>
internal interface IPodWiring
{
    bool LinkExists(string? netns, string name);

    /// <summary>
    /// A veth pair: <paramref name="hostName"/> here with <paramref name="hostMac"/>, <paramref name="podName"/>
    /// in <paramref name="netns"/> with <paramref name="podMac"/> and up; the host side stays down
    /// until <see cref="SetUp"/>, so its sysctls apply before it takes part (IPv6 DAD).
    /// </summary>
    void CreateVeth(string hostName, string hostMac, string netns, string podName, string podMac, int mtu);

    void SetUp(string? netns, string name);

    void AddAddress(string netns, string device, IpCidr address);

    /// <summary>Adds a route; <paramref name="protocol"/> tags it as the agent's (host side).</summary>
    void AddRoute(string? netns, IpCidr destination, string device, IPAddress? via, bool linkScope, int? protocol);

    /// <summary>Writes /proc/sys/net/… of the plugin's own namespace, e.g. ipv4/conf/caliX/proxy_arp.</summary>
    void SetSysctl(string key, string value);

    /// <summary>Deletes a link (and so its veth peer and routes); false when it was not there.</summary>
    bool DeleteLink(string? netns, string name);

    IReadOnlyList<IpCidr> Addresses(string netns, string device);

    IReadOnlyList<KernelRoute> Routes(string? netns, bool ipv6);

    string? MacAddress(string? netns, string device);
}
