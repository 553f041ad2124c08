using System.Net;
using Routing.Agent.Services.Model;
using Routing.Dataplane.Iptables;

namespace Routing.Agent.Services.Rules;

/// <summary>
/// The service proxy's rules for one address family: chains of the nat and filter tables, the jumps
/// into them from the built-in chains, and what was programmed per service port (for conntrack
/// clean-up, health checks and BGP), plus what could not be programmed and why.
/// </summary>
public sealed record ServiceRuleset(
    IReadOnlyList<IptablesChain> NatChains,
    IReadOnlyList<IptablesChain> FilterChains,
    IReadOnlyDictionary<string, IReadOnlyList<IptablesRule>> NatJumps,
    IReadOnlyDictionary<string, IReadOnlyList<IptablesRule>> FilterJumps,
    IReadOnlyList<ProgrammedServicePort> Ports,
    IReadOnlyList<string> Problems);

/// <summary>
/// One service port as programmed: the addresses it answers on (cluster, external and load-balancer
/// IPs), its node port (0 when none), and the endpoints traffic goes to.
/// </summary>
public sealed record ProgrammedServicePort(
    ClusterService Service,
    ServicePort Port,
    IReadOnlyList<IPAddress> Frontends,
    IReadOnlyList<IPEndPoint> Endpoints,
    IReadOnlyList<IPEndPoint> LocalEndpoints)
{
    public override string ToString() => $"{Service}:{Port}";
}
