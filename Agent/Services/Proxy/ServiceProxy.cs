using System.Diagnostics;
using System.Net.Sockets;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Routing.Agent.Datastore.Store;
using Routing.Agent.Peering;
using Routing.Agent.Services.Model;
using Routing.Agent.Services.Reading;
using Routing.Agent.Services.Rules;
using Routing.Dataplane.Commands;
using Routing.Dataplane.Iptables;

namespace Routing.Agent.Services.Proxy;

/// <summary>What one write of the service rules did.</summary>
public sealed record ServiceProxyApplied(int Services, int ChainsWritten, int ChainsDeleted, int ConntrackDeletions, TimeSpan Compiling, TimeSpan Took);

/// <summary>
/// The node's service proxy (kube-proxy's iptables mode): follows Services and EndpointSlices in the
/// datastore (list, then watch), and after both are listed keeps the nat and filter tables in line
/// with them: each burst of changes is compiled whole (<see cref="ServiceRulesCompiler"/>, pure and
/// cheap) and written as the chains that differ, so one endpoint change rewrites that service's
/// chains only. Entries of removed UDP endpoints are deleted from conntrack.
/// </summary>
public sealed partial class ServiceProxy(ServiceProxyOptions options, IResourceStore store, ICommandRunner runner, ILogger logger)
{
    private readonly Lock gate = new();
    private readonly Dictionary<ResourceKey, ClusterService> services = [];
    private readonly Dictionary<ResourceKey, EndpointSlice> slices = [];
    private readonly Channel<bool> wakeups = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly TaskCompletionSource servicesListed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource slicesListed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly HashSet<string> reported = new(StringComparer.Ordinal);
    private IReadOnlyList<ProgrammedServicePort> programmed = [];
    private WrittenServices lastWritten = WrittenServices.None;

    public ServiceProxyOptions Options => options;

    /// <summary>True while the proxy writes endpoints inline with one xt_bpf hairpin rule; false after it fell back to a chain per endpoint.</summary>
    public bool EndpointsInlined { get; private set; } = true;

    /// <summary>The Services and EndpointSlices as last written.</summary>
    public WrittenServices Written => Volatile.Read(ref lastWritten);

    /// <summary>Every service port as last written (all families): what BGP advertises for Local services.</summary>
    public IReadOnlyList<ProgrammedServicePort> Programmed => Volatile.Read(ref programmed);

    /// <summary>The addresses of services with <c>externalTrafficPolicy: Local</c> as last written, for BGP.</summary>
    public IReadOnlyList<LocalPolicyAddress> LocalPolicyAddresses() => ServiceAddresses.LocalPolicy(Programmed);

    /// <summary>Raised after each successful write, on the proxy's loop.</summary>
    public event EventHandler<ServiceProxyApplied>? Applied;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var token = stopping.Token;
        Task[] inputs =
        [
            Task.Run(() => FollowAsync(ServiceResourceReader.ServiceKind, ServiceResourceReader.ReadService, services, servicesListed, token), token),
            Task.Run(() => FollowAsync(ServiceResourceReader.EndpointSliceKind, ServiceResourceReader.ReadEndpointSlice, slices, slicesListed, token), token),
        ];

        var families = new List<(ServiceTables Tables, ServiceRulesOptions Rules, ServiceRulesCache Cache)>
        {
            (new ServiceTables(AddressFamily.InterNetwork, options.Backend, options.ChainPrefix, runner), RulesOptions(AddressFamily.InterNetwork, options.ClusterCidrV4), new ServiceRulesCache()),
        };
        if (options.IPv6)
        {
            families.Add((new ServiceTables(AddressFamily.InterNetworkV6, options.Backend, options.ChainPrefix, runner), RulesOptions(AddressFamily.InterNetworkV6, options.ClusterCidrV6), new ServiceRulesCache()));
        }

        try
        {
            // Nothing is written before both kinds are read: a half-read datastore would reject
            // services whose endpoints are not read yet.
            await Task.WhenAll(servicesListed.Task, slicesListed.Task).WaitAsync(token).ConfigureAwait(false);
            await foreach (var _ in wakeups.Reader.ReadAllAsync(token).ConfigureAwait(false))
            {
                await Task.Delay(options.Coalesce, token).ConfigureAwait(false);
                wakeups.Reader.TryRead(out var _);
                try
                {
                    await ApplyAsync(families, token).ConfigureAwait(false);
                }
                catch (Exception e) when (e is IptablesRestoreException or CommandStartException)
                {
                    Log.ApplyFailed(logger, e.Message);
                    await Task.Delay(options.RetryDelay, token).ConfigureAwait(false);
                    Wake();
                }
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
        finally
        {
            await stopping.CancelAsync().ConfigureAwait(false);
            foreach (var input in inputs)
            {
                try
                {
                    await input.ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                }
            }
        }
    }

    /// <summary>Removes the proxy's chains and jumps from the nat and filter tables of both families.</summary>
    public async Task UninstallAsync(CancellationToken cancellationToken = default)
    {
        await new ServiceTables(AddressFamily.InterNetwork, options.Backend, options.ChainPrefix, runner).UninstallAsync(cancellationToken).ConfigureAwait(false);
        if (options.IPv6)
        {
            await new ServiceTables(AddressFamily.InterNetworkV6, options.Backend, options.ChainPrefix, runner).UninstallAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private ServiceRulesOptions RulesOptions(AddressFamily family, string? clusterCidr) => new()
    {
        NodeName = options.NodeName,
        Family = family,
        NodeAddresses = options.NodeAddresses,
        ClusterCidr = clusterCidr,
        ChainPrefix = options.ChainPrefix,
    };

    private async Task ApplyAsync(List<(ServiceTables Tables, ServiceRulesOptions Rules, ServiceRulesCache Cache)> families, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        ClusterService[] currentServices;
        EndpointSlice[] currentSlices;
        lock (gate)
        {
            currentServices = [.. services.Values];
            currentSlices = [.. slices.Values];
        }

        var ports = new List<ProgrammedServicePort>();
        var (written, deleted) = (0, 0);
        var compiling = TimeSpan.Zero;
        for (var i = 0; i < families.Count; i++)
        {
            var (tables, rulesOptions, cache) = families[i];
            var started = clock.Elapsed;
            var rules = ServiceRulesCompiler.Compile(currentServices, currentSlices, rulesOptions, cache);
            compiling += clock.Elapsed - started;
            foreach (var problem in rules.Problems.Where(reported.Add))
            {
                Log.NotProgrammed(logger, problem);
            }

            int w, d;
            try
            {
                (w, d) = await tables.ApplyAsync(rules, cancellationToken).ConfigureAwait(false);
            }
            catch (IptablesRestoreException e) when (rulesOptions.InlineEndpoints && LacksXtBpf(e))
            {
                // Without xt_bpf the hairpin rule cannot be written: fall back, for good, to
                // kube-proxy's structure, where each endpoint's chain marks its own hairpin traffic.
                Log.NoXtBpf(logger, tables.Family == AddressFamily.InterNetworkV6 ? "ip6tables" : "iptables");
                rulesOptions = rulesOptions with { InlineEndpoints = false };
                cache = new ServiceRulesCache();
                families[i] = (tables, rulesOptions, cache);
                EndpointsInlined = false;
                started = clock.Elapsed;
                rules = ServiceRulesCompiler.Compile(currentServices, currentSlices, rulesOptions, cache);
                compiling += clock.Elapsed - started;
                (w, d) = await tables.ApplyAsync(rules, cancellationToken).ConfigureAwait(false);
            }

            written += w;
            deleted += d;
            ports.AddRange(rules.Ports);
        }

        var deletions = UdpConntrack.Deletions(Programmed, ports);
        Volatile.Write(ref programmed, ports);
        Volatile.Write(ref lastWritten, new WrittenServices(currentServices, currentSlices));
        if (deletions.Count > 0 && await UdpConntrack.DeleteAsync(runner, deletions, cancellationToken).ConfigureAwait(false) is > 0 and var failed)
        {
            Log.ConntrackFailed(logger, failed);
        }

        var applied = new ServiceProxyApplied(currentServices.Length, written, deleted, deletions.Count, compiling, clock.Elapsed);
        if (written + deleted > 0)
        {
            Log.Written(logger, applied.Services, written, deleted, clock.Elapsed.TotalMilliseconds);
        }

        Applied?.Invoke(this, applied);
    }

    private void Wake() => wakeups.Writer.TryWrite(true);

    // The kernel refuses the bpf match when xt_bpf is missing ("Extension bpf revision 0 not
    // supported, missing kernel module?", then the hairpin rule's line failing).
    private static bool LacksXtBpf(IptablesRestoreException e) =>
        e.FailedLine?.Contains(" -m bpf ", StringComparison.Ordinal) == true
        || e.StandardError?.Contains("Extension bpf ", StringComparison.Ordinal) == true;


    private async Task FollowAsync<T>(string kind, Func<string, T> read, Dictionary<ResourceKey, T> into, TaskCompletionSource listed, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var list = await store.ListAsync(kind, cancellationToken).ConfigureAwait(false);
                var fresh = new Dictionary<ResourceKey, T>();
                foreach (var item in list.Items)
                {
                    if (TryRead(item, read, out var value))
                    {
                        fresh[item.Key] = value;
                    }
                }

                lock (gate)
                {
                    into.Clear();
                    foreach (var (key, value) in fresh)
                    {
                        into[key] = value;
                    }
                }

                listed.TrySetResult();
                Wake();
                await foreach (var change in store.WatchAsync(kind, list.Revision, cancellationToken).ConfigureAwait(false))
                {
                    if (change.Resource is not { } resource || change.Type == ResourceEventType.Bookmark)
                    {
                        continue;
                    }

                    if (change.Type == ResourceEventType.Deleted)
                    {
                        lock (gate)
                        {
                            into.Remove(resource.Key);
                        }
                    }
                    else if (TryRead(resource, read, out var value))
                    {
                        lock (gate)
                        {
                            into[resource.Key] = value;
                        }
                    }

                    Wake();
                }
            }
            catch (ResourceStoreException e) when (e.Error == ResourceStoreError.Expired)
            {
                // The watch fell behind the store's history: list again.
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                Log.Unreadable(logger, kind, e.Message);
                await Task.Delay(options.RetryDelay, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    // A resource that cannot be read is left out (its last good version too: what it says now is unknown), and said so.
    private bool TryRead<T>(StoredResource resource, Func<string, T> read, out T value)
    {
        try
        {
            value = read(resource.Json);
            return true;
        }
        catch (Exception e) when (e is ServiceResourceException or System.Text.Json.JsonException or KeyNotFoundException or InvalidOperationException)
        {
            Log.Rejected(logger, resource.Key.ToString(), e.Message);
            value = default!;
            return false;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 600, Level = LogLevel.Information, Message = "Service rules written: {Services} services, {Written} chains written, {Deleted} deleted, in {Milliseconds:0.0} ms")]
        public static partial void Written(ILogger logger, int services, int written, int deleted, double milliseconds);

        [LoggerMessage(EventId = 601, Level = LogLevel.Error, Message = "Service rules not written, trying again: {Reason}")]
        public static partial void ApplyFailed(ILogger logger, string reason);

        [LoggerMessage(EventId = 602, Level = LogLevel.Warning, Message = "{Resource} left out of the service rules: {Reason}")]
        public static partial void Rejected(ILogger logger, string resource, string reason);

        [LoggerMessage(EventId = 603, Level = LogLevel.Warning, Message = "Could not read {Kind} from the datastore, trying again: {Reason}")]
        public static partial void Unreadable(ILogger logger, string kind, string reason);

        [LoggerMessage(EventId = 604, Level = LogLevel.Warning, Message = "{Problem}")]
        public static partial void NotProgrammed(ILogger logger, string problem);

        [LoggerMessage(EventId = 605, Level = LogLevel.Warning, Message = "{Failed} conntrack deletions for removed UDP endpoints failed")]
        public static partial void ConntrackFailed(ILogger logger, int failed);

        [LoggerMessage(EventId = 606, Level = LogLevel.Warning, Message = "The kernel has no xt_bpf (the bpf match) for {Tool}: service endpoints get a chain each, as in kube-proxy, to mark hairpin traffic (more chains to write; load xt_bpf to avoid it)")]
        public static partial void NoXtBpf(ILogger logger, string tool);
    }
}
