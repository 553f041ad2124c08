using Routing.Agent.Peering;
using Routing.Agent.Services.Rules;

namespace Routing.Agent.Services.Proxy;

/// <summary>What BGP needs to know of the programmed services.</summary>
public static class ServiceAddresses
{
    /// <summary>Each address of an eTP Local service, with whether this node has an endpoint of it (on any of its ports).</summary>
    public static IReadOnlyList<LocalPolicyAddress> LocalPolicy(IEnumerable<ProgrammedServicePort> ports)
    {
        ArgumentNullException.ThrowIfNull(ports);
        return ports
            .Where(p => p.Service.ExternalTrafficLocal)
            .GroupBy(p => p.Service)
            .SelectMany(g => g.SelectMany(p => p.Frontends).Distinct().Select(address => new LocalPolicyAddress(
                address,
                g.Key.ClusterIPs.Contains(address) ? ServiceAddressKind.Cluster : g.Key.LoadBalancerIPs.Contains(address) ? ServiceAddressKind.LoadBalancer : ServiceAddressKind.External,
                g.Any(p => p.LocalEndpoints.Count > 0))))
            .ToArray();
    }
}
