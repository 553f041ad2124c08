using Routing.Agent.Services.Model;

namespace Routing.Agent.Services.Proxy;

/// <summary>The Services and EndpointSlices the proxy's last successful write was made from (for its health checks).</summary>
public sealed record WrittenServices(IReadOnlyList<ClusterService> Services, IReadOnlyList<EndpointSlice> Slices)
{
    public static WrittenServices None { get; } = new([], []);
}
