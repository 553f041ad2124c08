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
    private Dictionary<string, IptablesChain> lastNat = new(StringComparer.Ordinal);
    private Dictionary<string, IptablesChain> lastFilter = new(StringComparer.Ordinal);

    /// <summary>
    /// Chains per iptables-restore when many change at once (the first sync). nft's
    /// <c>iptables-restore --noflush</c> slows down much faster than the size of one transaction
    /// grows (here: 12,000 chains 17 s, 24,000 chains 139 s), so a bulk load goes in batches, the
    /// chains others jump to first.
    /// </summary>
    public const int BatchChains = 2000;

    public AddressFamily Family => family;

    /// <summary>Makes the kernel hold <paramref name="rules"/>; returns how many chains were written and deleted.</summary>
    public async Task<(int Written, int Deleted)> ApplyAsync(ServiceRuleset rules, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rules);
        var (batchesWritten, changed) = (0, Changed(lastNat, rules.NatChains));
        if (changed.Count > BatchChains)
        {
            foreach (var batch in changed.OrderBy(c => Rank(c.Name)).Chunk(BatchChains).SkipLast(1))
            {
                foreach (var chain in batch)
                {
                    nat.SetChain(chain);
                }

                batchesWritten += (await nat.ApplyAsync(cancellationToken).ConfigureAwait(false)).ChainsWritten;
            }
        }

        lastNat = Hand(nat, lastNat, rules.NatChains);
        foreach (var (chain, jumps) in rules.NatJumps)
        {
            nat.SetInsertedRules(chain, jumps);
        }

        lastFilter = Hand(filter, lastFilter, rules.FilterChains);
        foreach (var (chain, jumps) in rules.FilterJumps)
        {
            filter.SetInsertedRules(chain, jumps);
        }

        // nat first: a service that gains endpoints is DNATed before its reject goes.
        var a = await nat.ApplyAsync(cancellationToken).ConfigureAwait(false);
        var b = await filter.ApplyAsync(cancellationToken).ConfigureAwait(false);
        return (batchesWritten + a.ChainsWritten + b.ChainsWritten, a.ChainsDeleted + b.ChainsDeleted);
    }

    private static List<IptablesChain> Changed(Dictionary<string, IptablesChain> last, IReadOnlyList<IptablesChain> chains) =>
        chains.Where(c => !last.TryGetValue(c.Name, out var before) || (!ReferenceEquals(before, c) && !before.Rules.SequenceEqual(c.Rules))).ToList();

    // What a chain jumps to must exist before it: endpoints' chains (which jump to MARK-MASQ) before
    // the spreads over them, those before the external chains, and the entry chains last.
    private static int Rank(string name) =>
        name.Contains("MARK-MASQ", StringComparison.Ordinal) ? 0
        : name.Contains("-SEP-", StringComparison.Ordinal) ? 1
        : name.Contains("-SVC-", StringComparison.Ordinal) || name.Contains("-SVL-", StringComparison.Ordinal) ? 2
        : name.Contains("-EXT-", StringComparison.Ordinal) ? 3
        : 4;

    // Only the chains whose rules differ from the last compile go to the table: it hashes what it is
    // given, and hashing every rule of 10,000 services for one endpoint change would be most of the work.
    private static Dictionary<string, IptablesChain> Hand(IptablesTable table, Dictionary<string, IptablesChain> last, IReadOnlyList<IptablesChain> chains)
    {
        var now = new Dictionary<string, IptablesChain>(chains.Count, StringComparer.Ordinal);
        foreach (var chain in chains)
        {
            now[chain.Name] = chain;
            if (!last.TryGetValue(chain.Name, out var before) || (!ReferenceEquals(before, chain) && !before.Rules.SequenceEqual(chain.Rules)))
            {
                table.SetChain(chain);
            }
        }

        foreach (var name in last.Keys)
        {
            if (!now.ContainsKey(name))
            {
                table.RemoveChain(name);
            }
        }

        return now;
    }

    /// <summary>Removes every chain and jump of the proxy from both tables.</summary>
    public async Task UninstallAsync(CancellationToken cancellationToken = default)
    {
        await filter.UninstallAsync(cancellationToken).ConfigureAwait(false);
        await nat.UninstallAsync(cancellationToken).ConfigureAwait(false);
        lastNat.Clear();
        lastFilter.Clear();
    }

    private static IptablesTableOptions Options(string table, AddressFamily family, IptablesBackend backend, string prefix) =>
        new() { Table = table, Family = family, Backend = backend, ChainPrefix = prefix, HashCommentPrefix = global::Routing.Agent.IptablesOwnership.IptablesOwners.Services, CoOwnerHashCommentPrefixes = global::Routing.Agent.IptablesOwnership.IptablesOwners.OthersThan(global::Routing.Agent.IptablesOwnership.IptablesOwners.Services) };
}
