using System.Net;
using Routing.Agent.Api.V1;
using Routing.Cni.Protocol;
using Routing.Cni.Results;
using Routing.Cni.Wiring;

namespace Routing.Cni.Commands;

/// <summary>
/// ADD, Calico's way: a veth whose host side has no address, the pod's /32 (/128) on the pod side,
/// a default route in the pod via a link-local gateway that the host answers for, and on the host a
/// route to the pod through the veth. Whatever fails after the addresses are assigned undoes all of it.
/// </summary>
internal static class AddCommand
{
    public static async Task<PodResult> RunAsync(CommandContext context)
    {
        var env = context.Environment;
        var netns = env.NetNs!;
        if (!File.Exists(netns))
        {
            throw new CniException(CniErrorCode.ContainerUnknown, $"CNI_NETNS {netns} does not exist", "the container's network namespace is gone");
        }

        var wiring = context.Wiring;
        var hostVeth = context.HostVeth;
        if (wiring.Link(netns, env.IfName) is not null)
        {
            throw new CniException(CniErrorCode.WiringFailed, $"CNI_IFNAME {env.IfName} already exists in {netns}", "ADD does not reuse an interface; DEL the attachment first");
        }

        if (wiring.Link(null, hostVeth) is not null)
        {
            throw new CniException(CniErrorCode.WiringFailed,
                $"the host interface {hostVeth} for pod {env.Args.PodNamespace}/{env.Args.PodName} already exists", "another sandbox of this pod is wired; DEL it first");
        }

        var addresses = await AssignAsync(context).ConfigureAwait(false);
        try
        {
            return Wire(context, hostVeth, addresses);
        }
        catch (Exception e) when (e is CniException or IOException)
        {
            await UndoAsync(context, hostVeth).ConfigureAwait(false);
            throw;
        }
    }

    private static async Task<IReadOnlyList<IpCidr>> AssignAsync(CommandContext context)
    {
        var config = context.Config;
        var env = context.Environment;
        var request = new IpamAssignRequest
        {
            HandleId = context.HandleId,
            Namespace = env.Args.PodNamespace ?? string.Empty,
            Pod = env.Args.PodName ?? string.Empty,
            ContainerId = env.ContainerId,
            Interface = env.IfName,
        };
        if (config.RequestedAddresses.Count > 0)
        {
            request.Addresses.AddRange(config.RequestedAddresses.Select(a => a.ToString()));
        }
        else
        {
            request.Ipv4Count = config.AssignIPv4 ? 1u : 0u;
            request.Ipv6Count = config.AssignIPv6 ? 1u : 0u;
        }

        request.Pools.AddRange(config.Pools);
        var response = await context.Agent.AssignAsync(request, CancellationToken.None).ConfigureAwait(false);
        try
        {
            return response.Addresses.Count > 0
                ? [.. response.Addresses.Select(a => IpCidr.Host(IpCidr.Parse(a.Address).Address))]
                : throw new CniException(CniErrorCode.AgentRefused, "the agent assigned no address", $"handle {context.HandleId}");
        }
        catch (FormatException e)
        {
            await ReleaseQuietlyAsync(context).ConfigureAwait(false);
            throw new CniException(CniErrorCode.AgentRefused, "the agent answered IpamAssign with an address that is not ADDRESS/LENGTH", e);
        }
    }

    private static PodResult Wire(CommandContext context, string hostVeth, IReadOnlyList<IpCidr> addresses)
    {
        var wiring = context.Wiring;
        var env = context.Environment;
        var netns = env.NetNs!;
        var mtu = context.Config.Mtu;
        var podMac = RandomMac();
        var has4 = addresses.Any(a => a.IsIPv4);
        var has6 = addresses.Any(a => !a.IsIPv4);

        wiring.CreateVeth(hostVeth, PodGateway.HostMac, netns, env.IfName, podMac, mtu);
        if (has4)
        {
            // The host answers ARP for 169.254.1.1 (and every other address) on the pod's behalf.
            wiring.SetSysctl($"ipv4/conf/{hostVeth}/proxy_arp", "1");
            wiring.SetSysctl($"ipv4/neigh/{hostVeth}/proxy_delay", "0");
        }

        if (has6)
        {
            // The pod's gateway is the host veth's link-local address: usable at once, without DAD.
            wiring.SetSysctl($"ipv6/conf/{hostVeth}/accept_dad", "0");
            wiring.SetSysctl($"ipv6/conf/{hostVeth}/accept_ra", "0");
        }

        wiring.SetUp(null, hostVeth);

        foreach (var address in addresses)
        {
            wiring.AddAddress(netns, env.IfName, address);
        }

        var routes = new List<ResultRoute>();
        if (has4)
        {
            wiring.AddRoute(netns, IpCidr.Host(PodGateway.IPv4), env.IfName, via: null, linkScope: true, protocol: null);
            wiring.AddRoute(netns, new IpCidr(IPAddress.Any, 0), env.IfName, PodGateway.IPv4, linkScope: false, protocol: null);
            routes.Add(new ResultRoute(new IpCidr(IPAddress.Any, 0), PodGateway.IPv4));
        }

        if (has6)
        {
            wiring.AddRoute(netns, new IpCidr(IPAddress.IPv6Any, 0), env.IfName, PodGateway.IPv6, linkScope: false, protocol: null);
            routes.Add(new ResultRoute(new IpCidr(IPAddress.IPv6Any, 0), PodGateway.IPv6));
        }

        foreach (var address in addresses)
        {
            wiring.AddRoute(null, address, hostVeth, via: null, linkScope: true, PodGateway.RouteProtocol);
        }

        var ours = new PodResult(
            [new ResultInterface(hostVeth, PodGateway.HostMac, null), new ResultInterface(env.IfName, podMac, netns, mtu > 0 ? mtu : null)],
            [.. addresses.Select(a => new ResultIp(a, a.IsIPv4 ? PodGateway.IPv4 : PodGateway.IPv6, 1))],
            routes);
        return context.Config.PrevResult is { } prev ? prev.Append(ours) : ours;
    }

    /// <summary>Removes the veth (with its routes) and releases the addresses; failures here are secondary to the one reported.</summary>
    private static async Task UndoAsync(CommandContext context, string hostVeth)
    {
        try
        {
            context.Wiring.DeleteLink(null, hostVeth);
        }
        catch (CniException)
        {
            // The original failure is the one to report; DEL, which the runtime sends next, retries.
        }

        await ReleaseQuietlyAsync(context).ConfigureAwait(false);
    }

    private static async Task ReleaseQuietlyAsync(CommandContext context)
    {
        try
        {
            await context.Agent.ReleaseAsync(context.HandleId, CancellationToken.None).ConfigureAwait(false);
        }
        catch (CniException)
        {
            // As above: DEL releases by the same handle.
        }
    }

    /// <summary>
    /// A random locally administered unicast MAC, so the result names it without reading it back. Not
    /// a secret: <see cref="Random"/>, which needs no OpenSSL loaded (unlike RandomNumberGenerator).
    /// </summary>
    private static string RandomMac()
    {
        Span<byte> mac = stackalloc byte[6];
        Random.Shared.NextBytes(mac);
        mac[0] = (byte)((mac[0] & 0xfe) | 0x02);
        return string.Join(':', mac.ToArray().Select(b => b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)));
    }
}
