using Routing.Dataplane.Commands;

namespace Routing.Dataplane.Ipsets;

/// <summary>
/// The ipsets the agent wants, by kernel name (all under <see cref="IpsetTableOptions.Prefix"/>),
/// applied with <c>ipset restore</c> in one batch per phase. Sets in use by iptables rules must
/// exist before the rules and outlive them, so applying is split:
/// <see cref="ApplyUpdatesAsync"/> (create and fill) → iptables → <see cref="ApplyDeletionsAsync"/>.
/// </summary>
/// <remarks>
/// Not thread-safe: one apply loop owns a table. A phase with nothing new to do returns without
/// starting a process.
/// </remarks>
public sealed class IpsetTable
{
    private const string IpsetTool = "ipset";

    private readonly IpsetTableOptions options;
    private readonly ICommandRunner runner;
    private readonly TimeProvider time;
    private readonly Dictionary<string, Ipset> sets = new(StringComparer.Ordinal);

    // Names whose wanted state may differ from the kernel's; every name after a read.
    private readonly HashSet<string> pending = new(StringComparer.Ordinal);
    private IpsetSnapshot? kernel;
    private long lastRead;
    private IpsetNetlink? netlink;
    private bool readUnreported;

    public IpsetTable(IpsetTableOptions options, ICommandRunner runner, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(runner);
        options.Validate();
        this.options = options;
        this.runner = runner;
        time = timeProvider ?? TimeProvider.System;
    }

    public IpsetTableOptions Options => options;

    /// <summary>
    /// Creations, member changes (a relabelled pod) and full rewrites go over nfnetlink through
    /// <paramref name="members"/>, with no process and no text (<see cref="IpsetNetlink.Load"/>);
    /// a set of another type or family, destroying sets, and any refusal go by <c>ipset restore</c>
    /// as before. The table does not own <paramref name="members"/>.
    /// </summary>
    public void WriteMembersWith(IpsetNetlink? members) => netlink = members;

    /// <summary>How many phases wrote members over nfnetlink (tests, benchmarks).</summary>
    public int NetlinkWrites { get; private set; }

    public IReadOnlyDictionary<string, Ipset> Sets => sets;

    /// <summary>The kernel name for the set the caller calls <paramref name="name"/> (see <see cref="IpsetNames"/>).</summary>
    public string NameFor(string name) => IpsetNames.For(options.Prefix, name);

    /// <summary>Wants <paramref name="set"/>, replacing the set of the same name.</summary>
    public void SetIpset(Ipset set)
    {
        ArgumentNullException.ThrowIfNull(set);
        if (!set.Name.StartsWith(options.Prefix, StringComparison.Ordinal) || IpsetNames.IsTemporary(options.Prefix, set.Name))
        {
            throw new ArgumentException($"set {set.Name} is not named with this table's prefix \"{options.Prefix}\" (use NameFor)", nameof(set));
        }

        if (set.Members.Count > options.MaxElements)
        {
            throw new ArgumentException($"set {set.Name} has {set.Members.Count} members, more than the {options.MaxElements} sets are created for (IpsetTableOptions.MaxElements)", nameof(set));
        }

        if (sets.TryGetValue(set.Name, out var current) && current.SameAs(set))
        {
            return;
        }

        sets[set.Name] = set;
        pending.Add(set.Name);
    }

    /// <summary>No longer wants the set; <see cref="ApplyDeletionsAsync"/> destroys it.</summary>
    public void RemoveIpset(string name)
    {
        if (sets.Remove(name))
        {
            pending.Add(name);
        }
    }

    /// <summary>
    /// Whether the kernel may hold a set of this (kernel) name, as last read: true when the sets were
    /// never read. A caller that must not touch sets in use asks before changing one early.
    /// </summary>
    public bool MayExist(string name) => kernel is null || kernel.Sets.ContainsKey(name);

    /// <summary>Makes the next apply read the sets back first.</summary>
    public void RequestResync() => kernel = null;

    /// <summary>
    /// Reads the sets now when the next phase would read them first (never read, a resync asked
    /// for, the refresh interval passed), so that a caller can overlap the read with working out
    /// what it wants (the sets are set after). Does nothing otherwise.
    /// </summary>
    public async Task ReadIfDueAsync(CancellationToken cancellationToken = default)
    {
        if (kernel is null || RefreshDue())
        {
            await ReadAsync(cancellationToken).ConfigureAwait(false);
            readUnreported = true;
        }
    }

    /// <summary>Both phases, for callers with no iptables rules in between.</summary>
    public async Task<IpsetApplyResult> ApplyAsync(CancellationToken cancellationToken = default)
    {
        var updates = await ApplyUpdatesAsync(cancellationToken).ConfigureAwait(false);
        return updates.Plus(await ApplyDeletionsAsync(cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Creates the wanted sets that are missing and brings every wanted set to its members.</summary>
    public Task<IpsetApplyResult> ApplyUpdatesAsync(CancellationToken cancellationToken = default) =>
        ApplyPhaseAsync(updates: true, cancellationToken);

    /// <summary>Destroys the sets of ours nobody wants (call once no rule refers to them).</summary>
    public Task<IpsetApplyResult> ApplyDeletionsAsync(CancellationToken cancellationToken = default) =>
        ApplyPhaseAsync(updates: false, cancellationToken);

    /// <summary>Destroys every set of ours, found by prefix; forgets what was wanted. Remove the iptables rules using them first.</summary>
    public Task<IpsetApplyResult> UninstallAsync(CancellationToken cancellationToken = default)
    {
        sets.Clear();
        kernel = null;
        return ApplyDeletionsAsync(cancellationToken);
    }

    private async Task<IpsetApplyResult> ApplyPhaseAsync(bool updates, CancellationToken cancellationToken)
    {
        // A read ahead (ReadIfDueAsync) is reported as this phase's read; it spares the retry after
        // a failure only when it was made just now (a read ahead may be a failed compile old).
        var readSince = readUnreported;
        readUnreported = false;
        var read = readSince && KernelReads.IsFresh(time, lastRead);
        if (kernel is null || RefreshDue())
        {
            await ReadAsync(cancellationToken).ConfigureAwait(false);
            read = readSince = true;
        }

        var plan = Plan(updates);
        if (plan.IsEmpty)
        {
            return readSince ? IpsetApplyResult.Unchanged with { ReadKernel = true } : IpsetApplyResult.Unchanged;
        }

        var failure = updates && TryNetlink(plan) ? null : await RestoreAsync(plan, updates, cancellationToken).ConfigureAwait(false);
        if (failure is not null && !read)
        {
            // Perhaps someone destroyed or changed a set behind our back: once more, from what is there.
            await ReadAsync(cancellationToken).ConfigureAwait(false);
            read = readSince = true;
            plan = Plan(updates);
            failure = plan.IsEmpty ? null : await RestoreAsync(plan, updates, cancellationToken).ConfigureAwait(false);
        }

        if (failure is not null)
        {
            // ipset restore stops at the failed line: what came before it took effect.
            kernel = null;
            throw failure;
        }

        var created = plan.Updates.Count(u => u.Kind is IpsetUpdateKind.Create or IpsetUpdateKind.Recreate);
        var updated = plan.Updates.Count(u => u.Kind == IpsetUpdateKind.Incremental);
        var swapped = plan.Updates.Count(u => u.Kind == IpsetUpdateKind.Swap);
        return new IpsetApplyResult(readSince, created, updated, swapped, plan.Destroys.Count);
    }

    /// <summary>This phase's half of the diff over the pending names.</summary>
    private IpsetPlan Plan(bool updates)
    {
        var names = pending.Where(n => sets.ContainsKey(n) == updates);
        var plan = IpsetDiff.Compute(sets, kernel!, names, options.MaxElements);
        if (updates)
        {
            var changing = plan.Updates.Select(u => u.Set.Name).ToHashSet(StringComparer.Ordinal);
            pending.RemoveWhere(n => sets.ContainsKey(n) && !changing.Contains(n));
            return new IpsetPlan(plan.Updates, []);
        }

        var going = plan.Destroys.ToHashSet(StringComparer.Ordinal);
        pending.RemoveWhere(n => !sets.ContainsKey(n) && !going.Contains(n));
        return new IpsetPlan([], plan.Destroys);
    }

    private bool RefreshDue() =>
        options.RefreshInterval is { } interval && time.GetElapsedTime(lastRead) >= interval;

    private async Task ReadAsync(CancellationToken cancellationToken)
    {
        var output = await runner.RunAsync(IpsetTool, ["save"], null, cancellationToken).ConfigureAwait(false);
        if (!output.Succeeded)
        {
            kernel = null;
            throw new IpsetRestoreException($"ipset save failed (exit {output.ExitCode}): {output.StandardError.Trim()}");
        }

        kernel = IpsetSaveParser.Parse(output.StandardOutput, options.Prefix);
        lastRead = time.GetTimestamp();
        pending.UnionWith(sets.Keys);
        pending.UnionWith(kernel.Sets.Keys);
    }

    /// <summary>Writes a plan over nfnetlink; false (no set left half created) to go by ipset restore.</summary>
    private bool TryNetlink(IpsetPlan plan)
    {
        if (netlink is null || plan.Updates.Any(u => u.Kind == IpsetUpdateKind.Recreate))
        {
            return false;
        }

        try
        {
            if (!netlink.Load(plan.Updates, options.Prefix, options.MaxElements).Succeeded)
            {
                // ipset restore -exist writes all of it again, whatever part went through.
                return false;
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return false;
        }

        Written(plan, updates: true);
        NetlinkWrites++;
        return true;
    }

    private void Written(IpsetPlan plan, bool updates)
    {
        if (updates)
        {
            kernel!.Apply(plan.Updates, options.MaxElements);
            foreach (var update in plan.Updates)
            {
                pending.Remove(update.Set.Name);
            }
        }
        else
        {
            foreach (var name in plan.Destroys)
            {
                kernel!.Remove(name);
                pending.Remove(name);
            }
        }
    }

    private async Task<IpsetRestoreException?> RestoreAsync(IpsetPlan plan, bool updates, CancellationToken cancellationToken)
    {
        var script = updates
            ? IpsetRestoreScript.RenderUpdates(plan, options.Prefix, options.MaxElements)
            : IpsetRestoreScript.RenderDestroys(plan);
        var output = await runner.RunAsync(IpsetTool, ["restore", "-exist"], script, cancellationToken).ConfigureAwait(false);
        if (!output.Succeeded)
        {
            return IpsetRestoreErrors.From(script, output.StandardError);
        }

        Written(plan, updates);
        return null;
    }

    public override string ToString() => $"ipsets (prefix {options.Prefix}, {sets.Count} wanted)";
}
