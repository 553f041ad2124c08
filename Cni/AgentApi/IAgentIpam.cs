using Routing.Agent.Api.V1;

namespace Routing.Cni.AgentApi;

/// <summary>The agent's IPAM calls the plugin makes (routing.v1.RoutingAgent, Ipam*).</summary>
internal interface IAgentIpam : IDisposable
{
    Task<IpamAssignResponse> AssignAsync(IpamAssignRequest request, CancellationToken cancellationToken);

    Task<IpamReleaseResponse> ReleaseAsync(string handleId, CancellationToken cancellationToken);

    Task<IpamAssignResponse> GetAsync(string handleId, CancellationToken cancellationToken);

    Task<IpamStatusResponse> StatusAsync(CancellationToken cancellationToken);

    Task<IpamListHandlesResponse> ListHandlesAsync(string prefix, CancellationToken cancellationToken);
}
