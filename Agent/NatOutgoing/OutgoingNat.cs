using System.Net.Sockets;
using Routing.Dataplane.Commands;
using Routing.Dataplane.Ipsets;
using Routing.Dataplane.Iptables;

namespace Routing.Agent.NatOutgoing;

/// <summary>
/// Puts a <see cref="NatOutgoingPlan"/> into the node's kernel: two hash:net sets (the natOutgoing
/// pools, all pools), the agent's own chain in the nat table with the MASQUERADE rule, and a jump to
/// it at the top of POSTROUTING; all of it removed when no pool asks for natOutgoing. Only what
/// differs is written (<see cref="IptablesTable"/>, <see cref="IpsetTable"/>).
/// </summary>
/// <remarks>Not thread-safe: one apply loop owns it.</remarks>
public sealed class OutgoingNat(ICommandRunner runner, IptablesBackend backend)
{
    private readonly IptablesTable nat = new(
        new IptablesTableOptions { Table = "nat", Backend = backend, ChainPrefix = NatOutgoingPlan.ChainPrefix, HashCommentPrefix = global::Routing.Agent.IptablesOwnership.IptablesOwners.NatOutgoing, CoOwnerHashCommentPrefixes = global::Routing.Agent.IptablesOwnership.IptablesOwners.OthersThan(global::Routing.Agent.IptablesOwnership.IptablesOwners.NatOutgoing) },
        runner);

    private readonly IpsetTable sets = new(new IpsetTableOptions { Prefix = NatOutgoingPlan.ChainPrefix }, runner);
    private NatOutgoingPlan? applied;

    public async Task ApplyAsync(NatOutgoingPlan plan, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var masqueraded = sets.NameFor(NatOutgoingPlan.MasqueradedSet);
        var all = sets.NameFor(NatOutgoingPlan.AllSet);
        if (plan.IsEmpty)
        {
            if (applied is null || !applied.IsEmpty)
            {
                nat.RemoveChain(NatOutgoingPlan.Chain);
                nat.SetInsertedRules("POSTROUTING", []);
                await nat.ApplyAsync(cancellationToken).ConfigureAwait(false);
                sets.RemoveIpset(masqueraded);
                sets.RemoveIpset(all);
                await sets.ApplyAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        else
        {
            sets.SetIpset(new Ipset(masqueraded, IpsetType.HashNet, AddressFamily.InterNetwork, plan.MasqueradedPools));
            sets.SetIpset(new Ipset(all, IpsetType.HashNet, AddressFamily.InterNetwork, plan.AllPools));
            await sets.ApplyUpdatesAsync(cancellationToken).ConfigureAwait(false);
            nat.SetChain(new IptablesChain(NatOutgoingPlan.Chain, new IptablesRule(NatOutgoingPlan.MasqueradeRule(masqueraded, all), "natOutgoing pools to outside every pool")));
            nat.SetInsertedRules("POSTROUTING", [new IptablesRule($"-j {NatOutgoingPlan.Chain}", "natOutgoing")]);
            await nat.ApplyAsync(cancellationToken).ConfigureAwait(false);
        }

        applied = plan;
    }
}
