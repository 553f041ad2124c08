using Routing.Cni.Protocol;
using Routing.Cni.Results;
using Routing.Cni.Wiring;

namespace Routing.Cni.Commands;

/// <summary>
/// CHECK: the attachment still looks as ADD left it — the pod's interface with its addresses and
/// default routes, the host route to each address through the host veth, and the agent still holds
/// the same addresses for the handle. The first difference is error 102 naming it.
/// </summary>
internal static class CheckCommand
{
    public static async Task RunAsync(CommandContext context)
    {
        var env = context.Environment;
        var netns = env.NetNs!;
        var prev = context.Config.PrevResult
            ?? throw new CniException(CniErrorCode.InvalidNetworkConfig, "network configuration field prevResult is missing", "CHECK verifies the result of ADD, passed as prevResult");
        if (!File.Exists(netns))
        {
            throw new CniException(CniErrorCode.ContainerUnknown, $"CNI_NETNS {netns} does not exist");
        }

        var index = prev.Interfaces.ToList().FindIndex(i => i.Name == env.IfName && (i.Sandbox is null || i.Sandbox == netns));
        if (index < 0)
        {
            throw Failed($"prevResult has no interface {env.IfName} in {netns}");
        }

        var expected = prev.Ips.Where(ip => ip.Interface == index).Select(ip => ip.Address).ToList();
        var wiring = context.Wiring;
        if (wiring.Link(netns, env.IfName) is null)
        {
            throw Failed($"interface {env.IfName} is missing from {netns}");
        }

        var actual = wiring.Addresses(netns, env.IfName);
        foreach (var address in expected.Where(a => !actual.Contains(a)))
        {
            throw Failed($"address {address} is missing from {env.IfName} in {netns}");
        }

        CheckPodRoutes(wiring, netns, env.IfName, expected);
        CheckHostRoutes(wiring, context.HostVeth, expected);

        using var deadline = context.AgentDeadline();
        var held = (await context.Agent.GetAsync(context.HandleId, deadline.Token).ConfigureAwait(false)).Addresses
            .Select(a => IpCidr.Parse(a.Address).Address).ToHashSet();
        foreach (var address in expected.Where(a => !held.Contains(a.Address)))
        {
            throw Failed($"the agent holds no address {address.Address} for handle {context.HandleId}");
        }
    }

    private static void CheckPodRoutes(IPodWiring wiring, string netns, string ifName, IReadOnlyList<IpCidr> expected)
    {
        foreach (var (ipv6, gateway) in new[] { (false, PodGateway.IPv4), (true, PodGateway.IPv6) })
        {
            if (!expected.Any(a => a.IsIPv4 != ipv6))
            {
                continue;
            }

            var routes = wiring.Routes(netns, ipv6);
            if (!routes.Any(r => r.Destination.PrefixLength == 0 && Equals(r.Gateway, gateway) && r.Device == ifName))
            {
                throw Failed($"the default route via {gateway} dev {ifName} is missing from {netns}");
            }
        }
    }

    private static void CheckHostRoutes(IPodWiring wiring, string hostVeth, IReadOnlyList<IpCidr> expected)
    {
        foreach (var address in expected)
        {
            var host = IpCidr.Host(address.Address);
            var routes = wiring.Routes(null, !address.IsIPv4);
            var found = routes.Any(r => r.Device == hostVeth && r.Destination == host);
            if (!found)
            {
                throw Failed($"the host route to {host} dev {hostVeth} is missing");
            }
        }
    }

    private static CniException Failed(string message) => new(CniErrorCode.CheckFailed, $"CHECK failed: {message}");
}
