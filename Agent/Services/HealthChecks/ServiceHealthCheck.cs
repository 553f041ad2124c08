using Routing.Agent.Services.Model;

namespace Routing.Agent.Services.HealthChecks;

/// <summary>
/// What one <c>spec.healthCheckNodePort</c> answers: the service it checks and how many of its ready
/// endpoints run on this node (a load balancer sends to the node only when there is at least one).
/// </summary>
public sealed record ServiceHealthCheck(int Port, string Namespace, string Name, int LocalEndpoints)
{
    /// <summary>
    /// The health checks of the services with <c>externalTrafficPolicy: Local</c> and a health-check
    /// node port, as kube-proxy counts: distinct ready endpoint addresses on <paramref name="nodeName"/>
    /// (terminating ones do not count, so a load balancer drains the node). A port two services
    /// claim goes to the first by namespace and name.
    /// </summary>
    public static IReadOnlyList<ServiceHealthCheck> Of(IEnumerable<ClusterService> services, IEnumerable<EndpointSlice> slices, string nodeName)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(slices);
        var local = slices
            .SelectMany(s => s.Endpoints
                .Where(e => e.Ready && string.Equals(e.NodeName, nodeName, StringComparison.Ordinal))
                .SelectMany(e => e.Addresses)
                .Select(address => (Service: (s.Namespace, s.ServiceName), Address: address)))
            .Distinct()
            .GroupBy(e => e.Service)
            .ToDictionary(g => g.Key, g => g.Count());
        return Checked(services)
            .DistinctBy(s => s.HealthCheckNodePort)
            .Select(s => new ServiceHealthCheck(s.HealthCheckNodePort, s.Namespace, s.Name, local.GetValueOrDefault((s.Namespace, s.Name))))
            .ToArray();
    }

    /// <summary>The services refused a health-check node port because another, first by namespace and name, has it.</summary>
    public static IReadOnlyList<HealthCheckPortConflict> Conflicts(IEnumerable<ClusterService> services)
    {
        ArgumentNullException.ThrowIfNull(services);
        return Checked(services)
            .GroupBy(s => s.HealthCheckNodePort)
            .Where(g => g.Skip(1).Any())
            .SelectMany(g => g.Skip(1).Select(refused => new HealthCheckPortConflict(g.Key, $"{g.First().Namespace}/{g.First().Name}", $"{refused.Namespace}/{refused.Name}")))
            .ToArray();
    }

    // The services that want a health-check node port, first by namespace and name (who gets a port two want).
    private static IEnumerable<ClusterService> Checked(IEnumerable<ClusterService> services) => services
        .Where(s => s.ExternalTrafficLocal && s.HasNodePorts && s.HealthCheckNodePort > 0)
        .OrderBy(s => s.Namespace, StringComparer.Ordinal)
        .ThenBy(s => s.Name, StringComparer.Ordinal);
}

/// <summary>Two services with one <c>healthCheckNodePort</c>: <paramref name="Served"/> has it, <paramref name="Refused"/> does not.</summary>
public sealed record HealthCheckPortConflict(int Port, string Served, string Refused);
