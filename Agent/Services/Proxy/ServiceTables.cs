using System.Net.Sockets;
using Routing.Agent.Services.Rules;
using Routing.Dataplane.Commands;
using Routing.Dataplane.Iptables;

namespace Routing.Agent.Services.Proxy;

/// <summary>
/// The nat and filter tables of one address family as the proxy owns them: a compiled
/// <see cref="ServiceRuleset"/> in, one <c>iptables-restore</c> per table out, of the chains that changed.
/// </summary>
public sealed class ServiceTables(AddressFamily family, IptablesBackend backend, string chainPrefix, ICommandRunner runner, TimeProvider? time = null)
{
    private readonly IptablesTable nat = new(Options("nat", family, backend, chainPrefix), runner, time);
    private readonly IptablesTable filter = new(Options("filter", family, backend, chainPrefix), runner, time);

    public AddressFamily Family => family;

    /// <summary>Makes the kernel hold <paramref name="rules"/>; returns how many chains were written and deleted.</summary>
    public async Task<(int Written, int Deleted)> ApplyAsync(ServiceRuleset rules, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rules);

        // One transaction per table, however many chains changed: nft's iptables-restore --noflush
        // pays per transaction for every chain already in the table, so batches cost more than one.
        nat.ReplaceChains(rules.NatChains);
        foreach (var (chain, jumps) in rules.NatJumps)
        {
            nat.SetInsertedRules(chain, jumps);
        }

        filter.ReplaceChains(rules.FilterChains);
        foreach (var (chain, jumps) in rules.FilterJumps)
        {
            filter.SetInsertedRules(chain, jumps);
        }

        // nat first: a service that gains endpoints is DNATed before its reject goes.
        var a = await nat.ApplyAsync(cancellationToken).ConfigureAwait(false);
        var b = await filter.ApplyAsync(cancellationToken).ConfigureAwait(false);
        return (a.ChainsWritten + b.ChainsWritten, a.ChainsDeleted + b.ChainsDeleted);
    }

    /// <summary>Removes every chain and jump of the proxy from both tables.</summary>
    public async Task UninstallAsync(CancellationToken cancellationToken = default)
    {
        await filter.UninstallAsync(cancellationToken).ConfigureAwait(false);
        await nat.UninstallAsync(cancellationToken).ConfigureAwait(false);
    }

    private static IptablesTableOptions Options(string table, AddressFamily family, IptablesBackend backend, string prefix) =>
        new() { Table = table, Family = family, Backend = backend, ChainPrefix = prefix, HashCommentPrefix = global::Routing.Agent.IptablesOwnership.IptablesOwners.Services, CoOwnerHashCommentPrefixes = global::Routing.Agent.IptablesOwnership.IptablesOwners.OthersThan(global::Routing.Agent.IptablesOwnership.IptablesOwners.Services) };
}
