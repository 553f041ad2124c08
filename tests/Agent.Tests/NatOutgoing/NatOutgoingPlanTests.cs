using Routing.Agent.NatOutgoing;
using Routing.Ipam.Pools;

namespace Routing.Agent.Tests.NatOutgoing;

/// <summary>What a node masquerades for natOutgoing pools: from those pools, to outside every pool.</summary>
public sealed class NatOutgoingPlanTests
{
    private static IPPool Pool(string name, string cidr, bool natOutgoing) => new() { Name = name, Cidr = cidr, NatOutgoing = natOutgoing };

    [Fact]
    public void Traffic_from_natOutgoing_pools_to_outside_all_pools_is_masqueraded()
    {
        var plan = NatOutgoingPlan.Calculate([Pool("pods", "10.244.0.0/16", true), Pool("other", "10.250.0.0/16", false), Pool("v6", "fd00:244::/64", true)]);

        Assert.Equal(["10.244.0.0/16"], plan.MasqueradedPools);
        Assert.Equal(["10.244.0.0/16", "10.250.0.0/16"], plan.AllPools);
        Assert.Equal(
            "-m set --match-set rtnat-masq-pools src -m set ! --match-set rtnat-all-pools dst -j MASQUERADE",
            NatOutgoingPlan.MasqueradeRule("rtnat-masq-pools", "rtnat-all-pools"));
    }

    [Fact]
    public void Without_a_natOutgoing_pool_nothing_is_masqueraded()
    {
        var plan = NatOutgoingPlan.Calculate([Pool("pods", "10.244.0.0/16", false)]);

        Assert.True(plan.IsEmpty);
        Assert.True(plan.AllPools.IsEmpty);
    }
}
