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

    internal bool TryGet(ClusterService service, List<EndpointSlice> slices, ServiceRulesOptions options, out ServiceFragment fragment)
    {
        if (entries.TryGetValue((service.Namespace, service.Name), out var entry)
            && ReferenceEquals(entry.Service, service) && ReferenceEquals(entry.Options, options)
            && entry.Slices.Length == slices.Count && entry.Slices.AsSpan().SequenceEqual(slices.ToArray(), ReferenceComparer.Instance))
        {
            fragment = entry.Fragment;
            return true;
        }

        fragment = null!;
        return false;
    }

    internal void Set(ClusterService service, List<EndpointSlice> slices, ServiceRulesOptions options, ServiceFragment fragment) =>
        entries[(service.Namespace, service.Name)] = new Entry(service, [.. slices], options, fragment);

    internal void ForgetAllBut(IEnumerable<ClusterService> services)
    {
        if (entries.Count == 0)
        {
            return;
        }

        var keep = services.Select(s => (s.Namespace, s.Name)).ToHashSet();
        foreach (var key in entries.Keys.Where(k => !keep.Contains(k)).ToArray())
        {
            entries.Remove(key);
        }
    }

    private sealed record Entry(ClusterService Service, EndpointSlice[] Slices, ServiceRulesOptions Options, ServiceFragment Fragment);

    private sealed class ReferenceComparer : IEqualityComparer<EndpointSlice>
    {
        public static readonly ReferenceComparer Instance = new();

        public bool Equals(EndpointSlice? x, EndpointSlice? y) => ReferenceEquals(x, y);

        public int GetHashCode(EndpointSlice obj) => System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(obj);
    }
}
