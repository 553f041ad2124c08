using System.Net.Sockets;
using System.Threading.Channels;
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
/// <remarks>Not thread-safe: one apply loop owns it, as it owns the tables (an apply runs the ipset
/// table and the filter table on two threads at once; each stays on one at a time).</remarks>
public sealed class PolicyDataplane
{
    private readonly IptablesTable filter;
    private readonly IpsetTable ipsets;
    private readonly HashSet<string> ownSets = new(StringComparer.Ordinal);

    // What was last handed to the tables, by name: an unchanged chain or set is compared here as
    // compiled (strings), not converted, normalised and hashed again on every apply.
    private readonly Dictionary<string, CompiledChain> givenChains = new(StringComparer.Ordinal);
    private readonly Dictionary<string, CompiledSet> givenSets = new(StringComparer.Ordinal);
    private IReadOnlyList<CompiledRule>? givenForward;
    private Task readingAhead = Task.CompletedTask;

    /// <param name="members">When given, a relabelled pod's set members are written over nfnetlink
    /// (no process; <c>ipset restore</c> on any refusal). It must reach the namespace
    /// <paramref name="runner"/> runs in; the caller disposes it.</param>
    public PolicyDataplane(PolicyCompilerOptions options, ICommandRunner runner, IptablesBackend backend = IptablesBackend.Nft, TimeProvider? time = null, IpsetNetlink? members = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(runner);
        Family = options.Family;
        filter = new IptablesTable(
            new IptablesTableOptions { Table = "filter", Family = options.Family, Backend = backend, ChainPrefix = options.ChainPrefix, HashCommentPrefix = options.ChainPrefix + "h:", CoOwnerHashCommentPrefixes = global::Routing.Agent.IptablesOwnership.IptablesOwners.OthersThan(options.ChainPrefix + "h:") },
            runner,
            time);
        ipsets = new IpsetTable(new IpsetTableOptions { Prefix = options.SetPrefix }, runner, time);
        ipsets.WriteMembersWith(members);
    }

    public AddressFamily Family { get; }

    /// <summary>How many applies wrote set members over nfnetlink rather than with <c>ipset restore</c>.</summary>
    public int NetlinkMemberWrites => ipsets.NetlinkWrites;

    /// <summary>
    /// Reads the filter table and the sets now, on other threads, when the next apply would read
    /// them first (the first apply, after a resync): a caller starts it before it calculates and
    /// compiles a whole ruleset, so the reads (two processes) overlap that work, and awaits it
    /// before <see cref="ApplyAsync"/>, which then reads nothing. Does nothing when nothing is due.
    /// </summary>
    public Task ReadKernelAsync(CancellationToken cancellationToken = default)
    {
        var before = readingAhead;
        // Not cancelled before it starts: it must wait for the read before it whatever happens, or
        // two reads would use the tables at once.
        readingAhead = Task.Run(async () =>
        {
            // After a read ahead nobody waited for (its caller failed before applying).
            await before.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            await Task.WhenAll(
                Task.Run(() => filter.ReadIfDueAsync(cancellationToken), CancellationToken.None),
                Task.Run(() => ipsets.ReadIfDueAsync(cancellationToken), CancellationToken.None)).ConfigureAwait(false);
        }, CancellationToken.None);
        return readingAhead;
    }

    /// <summary>
    /// Compiles a ruleset with <paramref name="compile"/>, which calls the action it is given with
    /// each set as soon as it is complete (<c>IncrementalPolicyCompiler.Compile</c>'s setMade); the
    /// sets go into the kernel on another thread meanwhile, in batches of what has been made, so
    /// the load overlaps the rest of the compile. Then applies the ruleset as <see cref="ApplyAsync"/>
    /// (the sets are complete before any rule uses them). Only sets the kernel does not hold yet are
    /// loaded early: a set the rules in place may use changes with the rules, in ApplyAsync. A
    /// compile that throws leaves the new sets loaded so far, unused; the next apply destroys those
    /// it does not want.
    /// </summary>
    public async Task<(PolicyRuleset Ruleset, PolicyApplyResult Applied)> CompileAndApplyAsync(Func<Action<CompiledSet>, PolicyRuleset> compile, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(compile);
        var made = Channel.CreateUnbounded<CompiledSet>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        var loading = Task.Run(() => LoadMadeSetsAsync(made.Reader, cancellationToken), cancellationToken);
        PolicyRuleset ruleset;
        try
        {
            ruleset = compile(set => made.Writer.TryWrite(set));
        }
        finally
        {
            made.Writer.Complete();
            await ((Task)loading).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        var loaded = await loading.ConfigureAwait(false);
        var applied = await ApplyAsync(ruleset, cancellationToken).ConfigureAwait(false);
        return (ruleset, applied with { SetsChanged = applied.SetsChanged + loaded.SetsCreated + loaded.SetsUpdated + loaded.SetsSwapped });
    }

    /// <summary>Makes the kernel hold <paramref name="ruleset"/>; returns how much was written.</summary>
    public async Task<PolicyApplyResult> ApplyAsync(PolicyRuleset ruleset, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ruleset);
        await SettledAsync().ConfigureAwait(false);
        var wanted = new HashSet<string>(StringComparer.Ordinal);
        foreach (var set in ruleset.Sets)
        {
            GiveSet(set);
            wanted.Add(set.Name);
        }

        foreach (var name in ownSets.Where(n => !wanted.Contains(n)).ToArray())
        {
            ipsets.RemoveIpset(name);
            ownSets.Remove(name);
            givenSets.Remove(name);
        }

        ownSets.UnionWith(wanted);

        // The sets go into the kernel on another thread (mostly the kernel's time: creating a set
        // waits for RCU) while this one reads the filter table and renders its script; the rules
        // are written once every set they use is complete.
        var loading = Task.Run(() => ipsets.ApplyUpdatesAsync(cancellationToken), cancellationToken);
        try
        {
            GiveChains(ruleset.Chains);
            if (givenForward is null || !givenForward.SequenceEqual(ruleset.ForwardRules))
            {
                filter.SetInsertedRules("FORWARD", ruleset.ForwardRules.Select(r => new IptablesRule(r.Spec, r.Comment)));
                givenForward = ruleset.ForwardRules;
            }

            await filter.PrepareAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            // Never leave the set load running behind the caller's back, even when preparing failed.
            await ((Task)loading).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        var sets = await loading.ConfigureAwait(false);
        var chains = await filter.ApplyAsync(cancellationToken).ConfigureAwait(false);
        var destroyed = await ipsets.ApplyDeletionsAsync(cancellationToken).ConfigureAwait(false);
        return new PolicyApplyResult(chains.ChainsWritten, chains.ChainsDeleted, sets.SetsCreated + sets.SetsUpdated + sets.SetsSwapped, destroyed.SetsDestroyed);
    }

    /// <summary>Removes every chain, jump and set of ours.</summary>
    public async Task UninstallAsync(CancellationToken cancellationToken = default)
    {
        await SettledAsync().ConfigureAwait(false);
        await filter.UninstallAsync(cancellationToken).ConfigureAwait(false);
        await ipsets.UninstallAsync(cancellationToken).ConfigureAwait(false);
        ownSets.Clear();
        givenChains.Clear();
        givenSets.Clear();
        givenForward = null;
    }

    /// <summary>The tables are used by one thread at a time: a read ahead is over (failed or not: a table that failed to read reads again) before anything else.</summary>
    private async Task SettledAsync() => await readingAhead.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);

    private async Task<IpsetApplyResult> LoadMadeSetsAsync(ChannelReader<CompiledSet> made, CancellationToken cancellationToken)
    {
        await SettledAsync().ConfigureAwait(false);
        var loaded = IpsetApplyResult.Unchanged;
        while (await made.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            while (made.TryRead(out var set))
            {
                // Only sets no rule can use yet: one the kernel holds may be in use by the rules in
                // place, and must not change before the rules that go with it (ApplyAsync does it).
                if (ownSets.Contains(set.Name) || ipsets.MayExist(set.Name))
                {
                    continue;
                }

                GiveSet(set);
                ownSets.Add(set.Name);
            }

            loaded = loaded.Plus(await ipsets.ApplyUpdatesAsync(cancellationToken).ConfigureAwait(false));
        }

        return loaded;
    }

    private void GiveSet(CompiledSet set)
    {
        if (!givenSets.TryGetValue(set.Name, out var given) || !SameSet(given, set))
        {
            ipsets.SetIpset(new Ipset(set.Name, TypeOf(set.Type), Family, set.Members));
            givenSets[set.Name] = set;
        }
    }

    private void GiveChains(IReadOnlyList<CompiledChain> chains)
    {
        var wanted = new HashSet<string>(StringComparer.Ordinal);
        foreach (var chain in chains)
        {
            wanted.Add(chain.Name);
            if (givenChains.TryGetValue(chain.Name, out var given) && (ReferenceEquals(given, chain) || given.Rules.SequenceEqual(chain.Rules)))
            {
                continue;
            }

            filter.SetChain(new IptablesChain(chain.Name, chain.Rules.Select(r => new IptablesRule(r.Spec, r.Comment))));
            givenChains[chain.Name] = chain;
        }

        foreach (var name in givenChains.Keys.Where(n => !wanted.Contains(n)).ToArray())
        {
            filter.RemoveChain(name);
            givenChains.Remove(name);
        }
    }

    private static bool SameSet(CompiledSet given, CompiledSet set) =>
        ReferenceEquals(given, set) || (given.Type == set.Type && given.Members.SequenceEqual(set.Members, StringComparer.Ordinal));

    private static IpsetType TypeOf(CompiledSetType type) => type switch
    {
        CompiledSetType.Addresses => IpsetType.HashIp,
        CompiledSetType.Networks => IpsetType.HashNet,
        CompiledSetType.AddressPorts => IpsetType.HashIpPort,
        CompiledSetType.Interfaces => IpsetType.HashNetIface,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };
}
