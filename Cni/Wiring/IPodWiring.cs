using System.Net;
using Routing.Cni.Results;

namespace Routing.Cni.Wiring;

/// <summary>A route as the kernel lists it (main table): only what the plugin makes and checks.</summary>
/// <param name="Scope">RT_SCOPE_*: 253 link, 0 universe (always 0 for IPv6).</param>
/// <param name="Protocol">RTPROT_*: who installed it; the agent's routes carry <see cref="PodGateway.RouteProtocol"/>.</param>
internal sealed record KernelRoute(IpCidr Destination, IPAddress? Gateway, string? Device, byte Scope, int Protocol)
{
    public const byte LinkScope = 253;
}

/// <summary>A network device as the kernel reports it: what CHECK compares and the result names.</summary>
internal sealed record KernelLink(string Name, string? MacAddress, int Mtu, bool IsUp);

/// <summary>
/// The kernel changes that wire a pod. <c>netns</c> is the pod's namespace (a path, as CNI_NETNS);
/// null means the namespace the plugin runs in (the node's). Nothing else in the plugin touches the kernel.
/// </summary>
internal interface IPodWiring
{
    /// <summary>The device named <paramref name="name"/> in <paramref name="netns"/>, or null when there is none.</summary>
    KernelLink? Link(string? netns, string name);

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

    /// <summary>Reads /proc/sys/net/… of the plugin's own namespace; null when there is no such key.</summary>
    string? ReadSysctl(string key);

    /// <summary>Deletes a link (and so its veth peer and routes); false when it (or its namespace) was not there.</summary>
    bool DeleteLink(string? netns, string name);

    /// <summary>The addresses of scope other than link on <paramref name="device"/>.</summary>
    IReadOnlyList<IpCidr> Addresses(string netns, string device);

    IReadOnlyList<KernelRoute> Routes(string? netns, bool ipv6);
}
