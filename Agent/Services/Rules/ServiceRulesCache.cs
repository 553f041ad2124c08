using Routing.Agent.Services.Model;
using Routing.Dataplane.Iptables;

namespace Routing.Agent.Services.Rules;

/// <summary>The rules of one service: its chains and its lines in the shared chains, in order.</summary>
internal sealed class ServiceFragment
{
    public List<IptablesChain> Chains { get; } = [];

    public List<IptablesRule> Services { get; } = [];

    public List<IptablesRule> NodePorts { get; } = [];

    public List<IptablesRule> Rejects { get; } = [];

    public List<IptablesRule> ExternalRejects { get; } = [];

    public List<IptablesRule> HealthChecks { get; } = [];

    public List<ProgrammedServicePort> Ports { get; } = [];

    public List<string> Problems { get; } = [];

    public HashSet<string> EndpointChains { get; } = new(StringComparer.Ordinal);
}

/// <summary>
/// Each service's compiled rules from the last compile, by the very objects they were compiled from:
/// the same Service, the same slices and the same options give the same rules. A follower of the
/// datastore that replaces only the resources that changed gets one endpoint change compiled as one
/// service, not ten thousand. Not thread-safe: one compile at a time.
/// </summary>
public sealed class ServiceRulesCache
{
    private readonly Dictionary<(string, string), Entry> entries = [];
    private readonly List<(string, string)> stale = [];
    private long compile;

    /// <summary>Starts a compile: entries not asked for again before <see cref="ForgetUnused"/> go then.</summary>
    internal void Begin() => compile++;

    internal bool TryGet(ClusterService service, List<EndpointSlice> slices, ServiceRulesOptions options, out ServiceFragment fragment)
    {
        if (entries.TryGetValue((service.Namespace, service.Name), out var entry)
            && ReferenceEquals(entry.Service, service) && ReferenceEquals(entry.Options, options)
            && SameSlices(entry.Slices, slices))
        {
            entry.Compile = compile;
            fragment = entry.Fragment;
            return true;
        }

        fragment = null!;
        return false;
    }

    internal void Set(ClusterService service, List<EndpointSlice> slices, ServiceRulesOptions options, ServiceFragment fragment) =>
        entries[(service.Namespace, service.Name)] = new Entry(service, [.. slices], options, fragment) { Compile = compile };

    /// <summary>Drops the services this compile did not ask for (deleted ones).</summary>
    internal void ForgetUnused()
    {
        foreach (var (key, entry) in entries)
        {
            if (entry.Compile != compile)
            {
                stale.Add(key);
            }
        }

        foreach (var key in stale)
        {
            entries.Remove(key);
        }

        stale.Clear();
    }

    private static bool SameSlices(EndpointSlice[] cached, List<EndpointSlice> slices)
    {
        if (cached.Length != slices.Count)
        {
            return false;
        }

        for (var i = 0; i < cached.Length; i++)
        {
            if (!ReferenceEquals(cached[i], slices[i]))
            {
                return false;
            }
        }

        return true;
    }

    private sealed record Entry(ClusterService Service, EndpointSlice[] Slices, ServiceRulesOptions Options, ServiceFragment Fragment)
    {
        public long Compile { get; set; }
    }
}
