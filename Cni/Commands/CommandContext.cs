using Routing.Cni.AgentApi;
using Routing.Cni.Config;
using Routing.Cni.Protocol;
using Routing.Cni.Wiring;

namespace Routing.Cni.Commands;

/// <summary>What one invocation works with: its environment, its configuration, the kernel and the agent.</summary>
internal sealed record CommandContext(CniEnvironment Environment, PluginConfig Config, IPodWiring Wiring, IAgentIpam Agent)
{
    public string HandleId => Config.HandleFor(Environment.ContainerId, Environment.IfName);

    public string HostVeth => VethName.For(Config.VethPrefix, Environment.Args.PodNamespace, Environment.Args.PodName, Environment.ContainerId);
}
