using System.Net;
using Routing.Agent.Resources;
using Routing.Bgp.Wire;

namespace Routing.Agent.Peering;

/// <summary>Which of a service's addresses one is.</summary>
public enum ServiceAddressKind
{
    Cluster,
    External,
    LoadBalancer,
}

/// <summary>An address of a service with <c>externalTrafficPolicy: Local</c>, and whether this node has one of its endpoints.</summary>
public sealed record LocalPolicyAddress(IPAddress Address, ServiceAddressKind Kind, bool HasLocalEndpoint);

/// <summary>
/// The service routes a node originates, after Calico's service IP advertisement: every range in
/// BGPConfiguration's <c>serviceClusterIPs</c>, <c>serviceExternalIPs</c> and
/// <c>serviceLoadBalancerIPs</c> from every node, and a host route (/32, /128) for each address of an
/// <c>externalTrafficPolicy: Local</c> service inside those ranges from the nodes that have a local
/// endpoint only, so that the longest match leads to them and the client's address is kept.
/// </summary>
public static class ServiceRoutes
{
    public static IReadOnlyList<Prefix> For(BgpConfiguration global, IEnumerable<LocalPolicyAddress> localPolicyAddresses)
    {
        ArgumentNullException.ThrowIfNull(global);
        ArgumentNullException.ThrowIfNull(localPolicyAddresses);
        var routes = new List<Prefix>();
        routes.AddRange(global.ServiceClusterIPs);
        routes.AddRange(global.ServiceExternalIPs);
        routes.AddRange(global.ServiceLoadBalancerIPs);
        foreach (var address in localPolicyAddresses.Where(a => a.HasLocalEndpoint))
        {
            var ranges = address.Kind switch
            {
                ServiceAddressKind.Cluster => global.ServiceClusterIPs,
                ServiceAddressKind.External => global.ServiceExternalIPs,
                _ => global.ServiceLoadBalancerIPs,
            };
            var host = Prefix.Create(address.Address, address.Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? 128 : 32);
            if (ranges.Any(r => r.Contains(host)))
            {
                routes.Add(host);
            }
        }

        return routes.Distinct().Order().ToArray();
    }
}
