using System.Net.Sockets;
using Routing.Dataplane.Commands;
using Routing.Dataplane.Ipsets;
using Routing.Dataplane.Iptables;
using Routing.Policy.Compilation;

namespace Routing.Agent.PolicyRules;

/// <summary>
/// Puts a compiled <see cref="PolicyRuleset"/> into the kernel through the desired-state tables:
/// sets created and filled first, then the filter table's chains and FORWARD jumps in one
/// iptables-restore, then sets no longer used destroyed. Only what differs is written: an
/// unchanged chain is not rewritten, a relabelled pod is a few set members.
/// </summary>
/// <remarks>Not thread-safe: one apply loop owns it, as it owns the tables.</remarks>
public sealed class PolicyDataplane
{
    private readonly IptablesTable filter;
    private readonly IpsetTable ipsets;
    private readonly HashSet<string> ownSets = new(StringComparer.Ordinal);

    public PolicyDataplane(PolicyCompilerOptions options, ICommandRunner runner, IptablesBackend backend = IptablesBackend.Nft, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(runner);
        Family = options.Family;
        filter = new IptablesTable(
            new IptablesTableOptions { Table = "filter", Family = options.Family, Backend = backend, ChainPrefix = options.ChainPrefix, HashCommentPrefix = options.ChainPrefix + "h:", CoOwnerHashCommentPrefixes = global::Routing.Agent.IptablesOwnership.IptablesOwners.OthersThan(options.ChainPrefix + "h:") },
            runner,
            time);
        ipsets = new IpsetTable(new IpsetTableOptions { Prefix = options.SetPrefix }, runner, time);
    }

    public AddressFamily Family { get; }

    /// <summary>Makes the kernel hold <paramref name="ruleset"/>; returns how much was written.</summary>
    public async Task<PolicyApplyResult> ApplyAsync(PolicyRuleset ruleset, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ruleset);
        var wanted = new HashSet<string>(StringComparer.Ordinal);
        foreach (var set in ruleset.Sets)
        {
            ipsets.SetIpset(new Ipset(set.Name, TypeOf(set.Type), Family, set.Members));
            wanted.Add(set.Name);
        }

        foreach (var name in ownSets.Where(n => !wanted.Contains(n)).ToArray())
        {
            ipsets.RemoveIpset(name);
            ownSets.Remove(name);
        }

        ownSets.UnionWith(wanted);
        var sets = await ipsets.ApplyUpdatesAsync(cancellationToken).ConfigureAwait(false);
        filter.ReplaceChains(ruleset.Chains.Select(c => new IptablesChain(c.Name, c.Rules.Select(r => new IptablesRule(r.Spec, r.Comment)))));
        filter.SetInsertedRules("FORWARD", ruleset.ForwardRules.Select(r => new IptablesRule(r.Spec, r.Comment)));
        var chains = await filter.ApplyAsync(cancellationToken).ConfigureAwait(false);
        var destroyed = await ipsets.ApplyDeletionsAsync(cancellationToken).ConfigureAwait(false);
        return new PolicyApplyResult(chains.ChainsWritten, chains.ChainsDeleted, sets.SetsCreated + sets.SetsUpdated + sets.SetsSwapped, destroyed.SetsDestroyed);
    }

    /// <summary>Removes every chain, jump and set of ours.</summary>
    public async Task UninstallAsync(CancellationToken cancellationToken = default)
    {
        await filter.UninstallAsync(cancellationToken).ConfigureAwait(false);
        await ipsets.UninstallAsync(cancellationToken).ConfigureAwait(false);
        ownSets.Clear();
    }

    private static IpsetType TypeOf(CompiledSetType type) => type switch
    {
        CompiledSetType.Addresses => IpsetType.HashIp,
        CompiledSetType.Networks => IpsetType.HashNet,
        CompiledSetType.AddressPorts => IpsetType.HashIpPort,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };
}
