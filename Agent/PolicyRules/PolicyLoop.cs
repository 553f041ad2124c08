using System.Collections.Concurrent;
using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Routing.Agent.Datastore.Store;
using Routing.Policy.Compilation;

namespace Routing.Agent.PolicyRules;

/// <summary>
/// The node's policy loop: lists then watches Namespaces, Pods, NetworkPolicies and
/// GlobalNetworkPolicies in the datastore, and once every kind is in sync computes the ruleset
/// (<see cref="NodePolicyCalculation"/>, then the compiler) and applies it
/// (<see cref="PolicyDataplane"/>). Changes wake one apply loop through a one-slot channel, so a
/// burst that arrives while an apply runs is one more apply. An invalid resource is logged once
/// per distinct problem, listed in <see cref="Status"/>, and left out: the others' rules are applied.
/// </summary>
public sealed partial class PolicyLoop(string nodeName, IResourceStore store, PolicyDataplane dataplane, PolicyCompiler compiler, ILogger logger, TimeSpan? retryDelay = null)
{
    /// <summary>The kinds read, in the order the calculation takes them.</summary>
    public static IReadOnlyList<string> Kinds { get; } =
        [PolicyModelLoader.NamespaceKind, PolicyModelLoader.PodKind, PolicyModelLoader.NetworkPolicyKind, PolicyModelLoader.GlobalNetworkPolicyKind];

    private readonly Dictionary<string, ConcurrentDictionary<ResourceKey, StoredResource>> resources =
        Kinds.ToDictionary(k => k, _ => new ConcurrentDictionary<ResourceKey, StoredResource>());

    private readonly ConcurrentDictionary<string, bool> synced = new(StringComparer.Ordinal);
    private readonly Channel<bool> wakeups = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly NodePolicyCalculation calculation = new(nodeName);
    private readonly IncrementalPolicyCompiler compilation = new(compiler);
    private readonly TimeSpan retry = retryDelay ?? TimeSpan.FromSeconds(1);
    private readonly HashSet<string> reported = new(StringComparer.Ordinal);
    private volatile PolicyStatus status = new(false, null, 0, 0, [], null);

    // What changed since the last calculation: pods by key (their resource now, null if deleted),
    // and whether anything else did (then everything is calculated again).
    private readonly Lock pending = new();
    private Dictionary<ResourceKey, StoredResource?> changedPods = [];
    private bool changedOther = true;
    private NodePolicyResult? last;

    // More changed pods than this and the whole calculation is as cheap.
    private const int IncrementalUpTo = 256;

    /// <summary>What the loop last did: in sync, when it last applied, what it left out.</summary>
    public PolicyStatus Status => status;

    /// <summary>Raised after each successful apply (tests and benchmarks wait on it).</summary>
    public event EventHandler<PolicyStatus>? Applied;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var token = stopping.Token;
        var watches = Kinds.Select(kind => Task.Run(() => FollowAsync(kind, token), token)).ToArray();
        try
        {
            await foreach (var _ in wakeups.Reader.ReadAllAsync(token).ConfigureAwait(false))
            {
                if (synced.Count == Kinds.Count)
                {
                    await ApplyAsync(token).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
        finally
        {
            await stopping.CancelAsync().ConfigureAwait(false);
            foreach (var watch in watches)
            {
                try
                {
                    await watch.ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                }
            }
        }
    }

    private void Wake() => wakeups.Writer.TryWrite(true);

    private async Task FollowAsync(string kind, CancellationToken cancellationToken)
    {
        var mine = resources[kind];
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var list = await store.ListAsync(kind, cancellationToken).ConfigureAwait(false);
                lock (pending)
                {
                    mine.Clear();
                    foreach (var item in list.Items)
                    {
                        mine[item.Key] = item;
                    }

                    changedOther = true;
                }

                synced[kind] = true;
                Wake();
                await foreach (var change in store.WatchAsync(kind, list.Revision, cancellationToken).ConfigureAwait(false))
                {
                    if (change.Resource is not { } resource)
                    {
                        continue;
                    }

                    lock (pending)
                    {
                        var deleted = change.Type == ResourceEventType.Deleted;
                        if (deleted)
                        {
                            mine.TryRemove(resource.Key, out _);
                        }
                        else
                        {
                            mine[resource.Key] = resource;
                        }

                        if (kind == PolicyModelLoader.PodKind)
                        {
                            changedPods[resource.Key] = deleted ? null : resource;
                        }
                        else
                        {
                            changedOther = true;
                        }
                    }

                    Wake();
                }
            }
            catch (ResourceStoreException e) when (e.Error == ResourceStoreError.Expired)
            {
                // Fell behind the store's history: list again.
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                Log.WatchFailed(logger, kind, e.Message);
                await Task.Delay(retry, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task ApplyAsync(CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        Dictionary<ResourceKey, StoredResource?> pods;
        bool whole;
        lock (pending)
        {
            pods = changedPods;
            changedPods = [];
            whole = changedOther || last is null || pods.Count > IncrementalUpTo;
            changedOther = false;
        }

        // A few pods changed (a relabel, a pod started): the last result with those pods changed, at
        // their cost; anything else (a namespace, a policy, a new list) the whole calculation.
        // A failed apply keeps its result, so the retry applies what is wanted now either way.
        // A whole calculation is long enough to hide the kernel reads a first apply needs (the
        // dataplane waits for them before it touches its tables again).
        if (whole)
        {
            _ = dataplane.ReadKernelAsync(cancellationToken);
        }

        var result = whole
            ? calculation.Calculate(
                resources[PolicyModelLoader.NamespaceKind].Values,
                resources[PolicyModelLoader.PodKind].Values,
                resources[PolicyModelLoader.NetworkPolicyKind].Values,
                resources[PolicyModelLoader.GlobalNetworkPolicyKind].Values)
            : calculation.Update(last!, pods);
        last = result;
        Report(result.Problems);
        try
        {
            // A whole compile hands over its sets as it makes them: they load while it goes on.
            var (ruleset, applied) = whole
                ? await dataplane.CompileAndApplyAsync(made => compilation.Compile(result.Model, made), cancellationToken).ConfigureAwait(false)
                : await ApplyCompiledAsync(compilation.Compile(result.Model), cancellationToken).ConfigureAwait(false);
            var elapsed = Stopwatch.GetElapsedTime(started);
            status = new PolicyStatus(true, DateTimeOffset.UtcNow, ruleset.RuleCount, result.Model.Endpoints.Count(e => e.IsLocal), result.Problems, null);
            Log.Applied(logger, ruleset.RuleCount, applied.ChainsWritten, applied.ChainsDeleted, applied.SetsChanged, elapsed.TotalMilliseconds);
            Applied?.Invoke(this, status);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The kernel keeps the last ruleset applied; the next change, or the retry, tries again.
            status = status with { Problems = result.Problems, LastError = e.Message };
            Log.ApplyFailed(logger, e.Message);
            _ = Task.Delay(retry, cancellationToken).ContinueWith(_ => Wake(), TaskScheduler.Default);
        }
    }

    private async Task<(PolicyRuleset, PolicyApplyResult)> ApplyCompiledAsync(PolicyRuleset ruleset, CancellationToken cancellationToken) =>
        (ruleset, await dataplane.ApplyAsync(ruleset, cancellationToken).ConfigureAwait(false));

    private void Report(IReadOnlyList<PolicyProblem> problems)
    {
        var now = problems.Select(p => p.ToString()).ToHashSet(StringComparer.Ordinal);
        foreach (var problem in problems.Where(p => !reported.Contains(p.ToString())))
        {
            Log.Invalid(logger, problem.Resource, problem.Reason);
        }

        reported.Clear();
        reported.UnionWith(now);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 400, Level = LogLevel.Information, Message = "Policy applied: {Rules} rules, {Written} chains written, {Deleted} deleted, {Sets} sets changed, in {Milliseconds:F1} ms")]
        public static partial void Applied(ILogger logger, int rules, int written, int deleted, int sets, double milliseconds);

        [LoggerMessage(EventId = 401, Level = LogLevel.Error, Message = "Policy resource {Resource} left out, the others apply: {Reason}")]
        public static partial void Invalid(ILogger logger, string resource, string reason);

        [LoggerMessage(EventId = 402, Level = LogLevel.Error, Message = "Policy not applied, the last ruleset stays in force: {Reason}")]
        public static partial void ApplyFailed(ILogger logger, string reason);

        [LoggerMessage(EventId = 403, Level = LogLevel.Warning, Message = "Could not watch {Kind} for policy, listing again: {Reason}")]
        public static partial void WatchFailed(ILogger logger, string kind, string reason);
    }
}

/// <summary>The policy loop's state: whether it has applied, when, how much, and what it left out.</summary>
public sealed record PolicyStatus(bool InSync, DateTimeOffset? LastApplied, int Rules, int LocalPods, IReadOnlyList<PolicyProblem> Problems, string? LastError);
