namespace Routing.Policy.Model;

/// <summary>
/// One ingress or egress rule: traffic matches when it comes from (ingress) or goes to (egress)
/// any of <see cref="Peers"/> on any of <see cref="Ports"/>. An empty list of peers means any
/// peer, an empty list of ports any port.
/// </summary>
public sealed record NetworkPolicyRule(IReadOnlyList<NetworkPolicyPeer> Peers, IReadOnlyList<NetworkPolicyPort> Ports)
{
    /// <summary>A rule that matches all traffic (<c>- {}</c>).</summary>
    public static NetworkPolicyRule Everything { get; } = new([], []);

    public static NetworkPolicyRule From(params NetworkPolicyPeer[] peers) => new(peers, []);

    public NetworkPolicyRule OnPorts(params NetworkPolicyPort[] ports) => this with { Ports = ports };
}
