using Routing.Policy.Model;
using Routing.Policy.Selectors;

namespace Routing.Policy.Tests.Model;

public class NetworkPolicyTests
{
    [Fact]
    public void Unspecified_policy_types_mean_ingress_and_egress_only_with_egress_rules()
    {
        Assert.Equal([PolicyDirection.Ingress], new NetworkPolicy("x", "p", LabelSelector.Everything, [], []).Directions);
        Assert.Equal([PolicyDirection.Ingress, PolicyDirection.Egress], new NetworkPolicy("x", "p", LabelSelector.Everything, [], [NetworkPolicyRule.Everything]).Directions);
        Assert.Equal([PolicyDirection.Ingress], new NetworkPolicy("x", "p", LabelSelector.Everything, [], [], []).Directions);
    }

    [Fact]
    public void Explicit_policy_types_win()
    {
        var egressOnly = new NetworkPolicy("x", "p", LabelSelector.Everything, [NetworkPolicyRule.Everything], [], [PolicyDirection.Egress]);
        Assert.Equal([PolicyDirection.Egress], egressOnly.Directions);
        Assert.False(egressOnly.Isolates(PolicyDirection.Ingress));
    }

    [Fact]
    public void Named_ports_resolve_per_pod_and_protocol()
    {
        var pod = new Endpoint("x", "a", new Dictionary<string, string>(), [], [new ContainerPort("web", 8080), new ContainerPort("dns", 53, PolicyProtocol.Udp)]);
        Assert.Equal([8080], pod.Resolve("web", PolicyProtocol.Tcp));
        Assert.Empty(pod.Resolve("web", PolicyProtocol.Udp));
        Assert.Equal([53], pod.Resolve("dns", PolicyProtocol.Udp));
        Assert.Empty(pod.Resolve("none", PolicyProtocol.Tcp));
    }
}
