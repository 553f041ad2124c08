using System.Globalization;
using System.Net.Sockets;
using Routing.Dataplane.Commands;

namespace Routing.Dataplane.Iptables;

/// <summary>
/// One iptables table (filter, nat, …) of one address family, as the agent wants it: its own
/// chains (named with <see cref="IptablesTableOptions.ChainPrefix"/>) and its jump rules at the
/// top of built-in chains. <see cref="ApplyAsync"/> makes the kernel match with a single
/// <c>iptables-restore --noflush</c> that rewrites only what differs (after felix's
/// <c>iptables/table.go</c>); chains and rules of others are never touched.
/// </summary>
/// <remarks>
/// Not thread-safe: one apply loop owns a table. Set the wanted state as often as you like;
/// an apply with nothing new to do returns without starting a process.
/// </remarks>
public sealed class IptablesTable
{
    private readonly IptablesTableOptions options;
    private readonly ICommandRunner runner;
    private readonly TimeProvider time;
    private readonly Dictionary<string, IptablesChain> chains = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IptablesChain> insertions = new(StringComparer.Ordinal);

    // The table as the kernel holds it, as far as we know: read with iptables-save, then updated
    // with every successful restore. Null when it must be read again.
    private IptablesSnapshot? kernel;
    private long lastRead;
    private bool dirty = true;

    // Wanted-state changes so far, and the plan PrepareAsync made at one of them (with the
    // snapshot it was made from): an apply with neither changed since uses it as it is.
    private long version;
    private Prepared? prepared;
    private bool readUnreported;

    // Chains set or removed since the last successful apply: while the kernel holds what that apply
    // wrote, only they can differ from it, and a diff of them alone is the whole diff.
    private readonly HashSet<string> touched = new(StringComparer.Ordinal);

    public IptablesTable(IptablesTableOptions options, ICommandRunner runner, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(runner);
        options.Validate();
        this.options = options;
        this.runner = runner;
        time = timeProvider ?? TimeProvider.System;
    }

    public IptablesTableOptions Options => options;

    /// <summary>The chains of ours this table wants, by name.</summary>
    public IReadOnlyDictionary<string, IptablesChain> Chains => chains;

    /// <summary>Wants <paramref name="chain"/> in the table, replacing a chain of the same name.</summary>
    public void SetChain(IptablesChain chain)
    {
        ArgumentNullException.ThrowIfNull(chain);
        if (!chain.Name.StartsWith(options.ChainPrefix, StringComparison.Ordinal))
        {
            throw new ArgumentException($"chain {chain.Name} is not named with this table's prefix \"{options.ChainPrefix}\": the table owns only chains with that prefix", nameof(chain));
        }

        // The same chain, or the same rules, are known equal without hashing them (a caller that
        // hands its whole ruleset on every change hands mostly chains it handed before).
        if (chains.TryGetValue(chain.Name, out var current)
            && (ReferenceEquals(current, chain) || current.Rules.SequenceEqual(chain.Rules) || current.SameContentAs(chain)))
        {
            return;
        }

        chains[chain.Name] = chain;
        touched.Add(chain.Name);
        Changed();
    }

    /// <summary>No longer wants the chain; the next apply deletes it.</summary>
    public void RemoveChain(string name)
    {
        if (chains.Remove(name))
        {
            touched.Add(name);
            Changed();
        }
    }

    /// <summary>Wants exactly <paramref name="wanted"/> as our chains: others of ours go on the next apply.</summary>
    public void ReplaceChains(IEnumerable<IptablesChain> wanted)
    {
        ArgumentNullException.ThrowIfNull(wanted);
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var chain in wanted)
        {
            SetChain(chain);
            names.Add(chain.Name);
        }

        foreach (var name in chains.Keys.Where(n => !names.Contains(n)).ToArray())
        {
            RemoveChain(name);
        }
    }

    /// <summary>
    /// Wants <paramref name="rules"/> (typically jumps to our chains) first in the built-in chain
    /// <paramref name="builtInChain"/>, in this order; none removes ours from it.
    /// </summary>
    public void SetInsertedRules(string builtInChain, IEnumerable<IptablesRule> rules)
    {
        ArgumentNullException.ThrowIfNull(builtInChain);
        ArgumentNullException.ThrowIfNull(rules);
        if (!BuiltInChains.Contains(options.Table, builtInChain))
        {
            throw new ArgumentException($"{builtInChain} is not a built-in chain of table {options.Table} ({string.Join(", ", BuiltInChains.Of(options.Table))})", nameof(builtInChain));
        }

        var chain = new IptablesChain(builtInChain, rules);
        if (chain.Rules.Count == 0)
        {
            if (insertions.Remove(builtInChain))
            {
                Changed();
            }

            return;
        }

        if (insertions.TryGetValue(builtInChain, out var current) && current.SameContentAs(chain))
        {
            return;
        }

        insertions[builtInChain] = chain;
        Changed();
    }

    /// <summary>Makes the next apply read the table back first (e.g. after another tool ran).</summary>
    public void RequestResync() => kernel = null;

    /// <summary>
    /// Reads the table now when the next apply would read it first (never read, a resync asked
    /// for, the refresh interval passed), so that a caller can overlap the read with working out
    /// what it wants (the chains are set after). Does nothing otherwise.
    /// </summary>
    public async Task ReadIfDueAsync(CancellationToken cancellationToken = default)
    {
        if (kernel is null || RefreshDue())
        {
            await ReadAsync(cancellationToken).ConfigureAwait(false);
            prepared = null;
            readUnreported = true;
        }
    }

    /// <summary>
    /// Does now what the next <see cref="ApplyAsync"/> would do before it runs iptables-restore:
    /// reads the table if due, diffs and renders the script. A caller overlaps it with other work
    /// (the ipsets going into the kernel); the apply uses it if the wanted chains and the known
    /// table did not change in between, and does it all itself otherwise.
    /// </summary>
    public async Task PrepareAsync(CancellationToken cancellationToken = default)
    {
        prepared = null;
        if (kernel is null || RefreshDue())
        {
            await ReadAsync(cancellationToken).ConfigureAwait(false);
            readUnreported = true;
        }
        else if (!dirty)
        {
            return;
        }

        var plan = IptablesDiff.Compute(chains, insertions, kernel!, readUnreported ? null : touched);
        if (plan.BuiltInRepairs.Count > 0 && !(readUnreported && KernelReads.IsFresh(time, lastRead)))
        {
            // The apply reads again for fresh line numbers.
            return;
        }

        prepared = new Prepared(version, kernel!, plan, plan.IsEmpty ? null : IptablesRestoreScript.Render(options.Table, plan, options.HashCommentPrefix));
    }

    /// <summary>
    /// Makes the table match what is wanted. Reads it back first when it has not been read yet, when
    /// the refresh interval has passed, after a failure, or when jump rules must move (their line
    /// numbers must be fresh). Throws <see cref="IptablesRestoreException"/> when iptables-restore
    /// refuses the update; the table then still holds what it held before.
    /// </summary>
    public async Task<IptablesApplyResult> ApplyAsync(CancellationToken cancellationToken = default)
    {
        // A read since the last apply (ahead, or in PrepareAsync) means a whole diff and is reported;
        // its line numbers are used, and the retry after a failure spared, only if it is fresh.
        var readSince = readUnreported;
        readUnreported = false;
        var read = readSince && KernelReads.IsFresh(time, lastRead);
        IptablesPlan plan;
        string? script = null;
        if (prepared is { } ready && ready.Version == version && ReferenceEquals(ready.Kernel, kernel))
        {
            (plan, script) = (ready.Plan, ready.Script);
        }
        else
        {
            if (kernel is null || RefreshDue())
            {
                await ReadAsync(cancellationToken).ConfigureAwait(false);
                read = readSince = true;
            }
            else if (!dirty && !readSince)
            {
                return IptablesApplyResult.Unchanged;
            }

            plan = IptablesDiff.Compute(chains, insertions, kernel!, readSince ? null : touched);
            if (plan.BuiltInRepairs.Count > 0 && !read)
            {
                // Deletes go by line number: only numbers read just now are safe to use.
                await ReadAsync(cancellationToken).ConfigureAwait(false);
                read = readSince = true;
                plan = IptablesDiff.Compute(chains, insertions, kernel!);
            }
        }

        prepared = null;
        if (!plan.IsEmpty)
        {
            var failure = await RestoreAsync(plan, cancellationToken, script).ConfigureAwait(false);
            if (failure is not null && !read)
            {
                // What we believed of the table may be stale (someone deleted one of our chains):
                // try once more from what it really holds.
                await ReadAsync(cancellationToken).ConfigureAwait(false);
                read = readSince = true;
                plan = IptablesDiff.Compute(chains, insertions, kernel!);
                failure = plan.IsEmpty ? null : await RestoreAsync(plan, cancellationToken).ConfigureAwait(false);
            }

            if (failure is not null)
            {
                kernel = null;
                throw failure;
            }
        }

        dirty = false;
        touched.Clear();
        return new IptablesApplyResult(readSince, plan.ChainsToWrite.Count, plan.ChainsToDelete.Count, plan.BuiltInRepairs.Count);
    }

    /// <summary>
    /// Removes everything of ours from the table: our jump rules from the built-in chains, then our
    /// chains. Forgets what was wanted. Nothing else in the table is touched.
    /// </summary>
    public Task<IptablesApplyResult> UninstallAsync(CancellationToken cancellationToken = default)
    {
        chains.Clear();
        insertions.Clear();
        Changed();
        kernel = null;
        return ApplyAsync(cancellationToken);
    }

    private void Changed()
    {
        dirty = true;
        version++;
    }

    private bool RefreshDue() =>
        options.RefreshInterval is { } interval && time.GetElapsedTime(lastRead) >= interval;

    private async Task ReadAsync(CancellationToken cancellationToken)
    {
        var save = IptablesCommands.Save(options.Backend, options.Family);
        var output = await runner.RunAsync(save, ["-t", options.Table], null, cancellationToken).ConfigureAwait(false);
        if (!output.Succeeded)
        {
            kernel = null;
            throw new IptablesRestoreException($"{save} -t {options.Table} failed (exit {output.ExitCode}): {output.StandardError.Trim()}");
        }

        kernel = IptablesSaveParser.Parse(output.StandardOutput, options.Table, options.ChainPrefix, options.HashCommentPrefix, options.CoOwnerHashCommentPrefixes);
        lastRead = time.GetTimestamp();
    }

    private async Task<IptablesRestoreException?> RestoreAsync(IptablesPlan plan, CancellationToken cancellationToken, string? script = null)
    {
        script ??= IptablesRestoreScript.Render(options.Table, plan, options.HashCommentPrefix);
        var output = await runner.RunAsync(IptablesCommands.Restore(options.Backend, options.Family), RestoreArguments(), script, cancellationToken)
            .ConfigureAwait(false);
        if (!output.Succeeded)
        {
            return IptablesRestoreErrors.From(options.Table, script, output.StandardError);
        }

        kernel!.Apply(plan);
        return null;
    }

    private string[] RestoreArguments() =>
        options.Backend == IptablesBackend.Legacy
            ? ["--noflush", "--wait", Math.Max(1, (int)options.LockWait.TotalSeconds).ToString(CultureInfo.InvariantCulture)]
            : ["--noflush"];

    public override string ToString() =>
        $"{(options.Family == AddressFamily.InterNetworkV6 ? "ip6" : "ip")}tables {options.Table} ({options.Backend}, prefix {options.ChainPrefix})";

    private sealed record Prepared(long Version, IptablesSnapshot Kernel, IptablesPlan Plan, string? Script);
}
