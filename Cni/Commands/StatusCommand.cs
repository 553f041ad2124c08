using Routing.Cni.Protocol;

namespace Routing.Cni.Commands;

/// <summary>STATUS (CNI 1.1): ready when the agent answers and a pool of each family the network assigns has room; else 50.</summary>
internal static class StatusCommand
{
    public static async Task RunAsync(CommandContext context)
    {
        Agent.Api.V1.IpamStatusResponse status;
        try
        {
            status = await context.Agent.StatusAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (CniException e)
        {
            throw new CniException(CniErrorCode.PluginNotAvailable, $"plugin not available: {e.Message}", e.Details);
        }

        var config = context.Config;
        if (config.AssignIPv4 && (status.Ipv4Pools == 0 || status.Ipv4Free == 0))
        {
            throw new CniException(CniErrorCode.PluginNotAvailable,
                $"plugin not available: no free IPv4 address in {status.Ipv4Pools} pool(s) for node {status.Node}", "add an IPPool or free addresses");
        }

        if (config.AssignIPv6 && (status.Ipv6Pools == 0 || status.Ipv6Free == 0))
        {
            throw new CniException(CniErrorCode.PluginNotAvailable,
                $"plugin not available: no free IPv6 address in {status.Ipv6Pools} pool(s) for node {status.Node}", "add an IPPool or free addresses");
        }
    }
}
