using System.Globalization;
using System.Text.Json;
using Routing.Agent.Api.Grpc;
using Routing.Agent.Api.V1;
using Routing.TestKit.Namespaces;

namespace Routing.Interop.Tests.Node;

/// <summary>What the node tests ask of a running agent and of its node's kernel.</summary>
internal static class AgentProbes
{
    public const string Service = "/routing.v1.RoutingAgent/";
    private const int RoutingProtocol = 80;

    /// <summary>One IPv4 address for a "pod", as the CNI plugin asks the agent's API for it, once the agent answers.</summary>
    public static async Task<(string Host, string Block)> AssignAsync(Topology lab, string socket, string handle, TimeSpan? timeout = null)
    {
        var response = await lab.UntilAsync($"the agent on {socket} to assign an address", async cancellationToken =>
        {
            if (!File.Exists(socket))
            {
                return null;
            }

            using var client = new GrpcConnection(socket);
            var request = new IpamAssignRequest { HandleId = handle, Ipv4Count = 1, Namespace = "default", Pod = handle };
            return await client.UnaryAsync(Service + "IpamAssign", request, IpamAssignResponse.Parser, cancellationToken);
        }, timeout);
        var address = Assert.Single(response.Addresses);
        return (address.Address.Split('/')[0], address.Block);
    }

    /// <summary>The namespace's routes of the agent's protocol, one per line as `ip route` prints them.</summary>
    public static async Task<string> RoutesAsync(NetNs ns)
    {
        var json = await ns.IpAsync("-4", "-j", "route", "show", "proto", RoutingProtocol.ToString(CultureInfo.InvariantCulture));
        using var routes = JsonDocument.Parse(json);
        return string.Join('\n', routes.RootElement.EnumerateArray().Select(r =>
            r.TryGetProperty("type", out var type) && type.GetString() == "blackhole"
                ? $"blackhole {r.GetProperty("dst").GetString()}"
                : $"{r.GetProperty("dst").GetString()} via {(r.TryGetProperty("gateway", out var gateway) ? gateway.GetString() : "?")}"));
    }
}
