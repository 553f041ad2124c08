using System.Globalization;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Routing.Agent.Datastore.Store;
using Routing.Agent.Resources;
using Routing.Ipam.Allocation;
using Routing.Ipam.Blocks;
using Routing.Ipam.Pools;
using Routing.Ipam.Store;

namespace Routing.Agent.Tunnels;

/// <summary>A node's VXLAN tunnel end: its VTEP address and its device's MAC.</summary>
public sealed record Vtep(IPAddress Address, PhysicalAddress Mac);

/// <summary>
/// Gives this node a VTEP address from a VXLAN pool through IPAM (one address held by the handle
/// <c>vxlan-tunnel-addr-NODE</c>, as Calico does, so a restart finds the same one) and a MAC (the
/// published one, else the existing device's, else a random locally administered one), and writes
/// both on the node's RoutingNode as <c>spec.ipv4VXLANTunnelAddr</c> and <c>spec.vxlanTunnelMACAddr</c>,
/// where the other nodes read them.
/// </summary>
public sealed partial class VtepPublisher(string nodeName, IResourceStore records, IIpamStore ipam, Func<ResourceSet> resources, ILogger logger)
{
    public const string AddressField = "ipv4VXLANTunnelAddr";
    public const string MacField = "vxlanTunnelMACAddr";

    private readonly IpamAllocator allocator = new(ipam, null, new DelegateNodeSelectorEvaluator((selector, node) => Selects(resources(), selector, node)));
    private Vtep? published;
    private ResourceSet? publishedWhile;

    /// <summary>The node's VTEP, allocated and published as needed; null when no VXLAN pool selects the node.</summary>
    public async Task<Vtep?> EnsureAsync(IReadOnlyList<IPPool> pools, PhysicalAddress? deviceMac, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pools);
        var pool = TunnelPlan.VxlanPoolFor(pools, p => p.SelectsAllNodes || Selects(resources(), p.NodeSelector, nodeName));
        if (pool is null)
        {
            return null;
        }

        var handle = TunnelDevices.VxlanHandleFor(nodeName);
        var held = await allocator.GetByHandleAsync(handle, cancellationToken).ConfigureAwait(false);
        var address = held.Select(a => a.Address).FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork);
        if (address is null)
        {
            var result = await allocator.AutoAssignAsync(new AssignRequest
            {
                HandleId = handle,
                Node = nodeName,
                IPv4Count = 1,
                Pools = [pool.Name],
                Attributes = new Dictionary<string, string>(StringComparer.Ordinal) { ["type"] = "vxlanTunnelAddress" },
            }, cancellationToken).ConfigureAwait(false);
            address = (result.IPv4.Count > 0 ? result.IPv4[0].Address : null)
                ?? throw new IpamException(IpamErrorKind.PoolExhausted, $"IPPool {pool.Name} has no address left for node {nodeName}'s VTEP");
            Log.Allocated(logger, address, pool.Name);
        }

        var current = resources();
        var self = current.FindNode(nodeName);
        var mac = self?.VxlanTunnelMacAddress ?? published?.Mac ?? deviceMac ?? RandomMac();
        var vtep = new Vtep(address, mac);
        // Published already, and the resources read since may just not show it yet; but a newer set
        // without it (the RoutingNode applied again, say) is published to again.
        if (!(Equals(self?.IPv4VxlanTunnelAddress, address) && Equals(self?.VxlanTunnelMacAddress, mac))
            && (vtep != published || !ReferenceEquals(current, publishedWhile)))
        {
            publishedWhile = current;
            await PublishAsync(vtep, cancellationToken).ConfigureAwait(false);
        }

        return vtep;
    }

    /// <summary>"66:1e:3a:4f:00:01", as Calico writes it.</summary>
    public static string Format(PhysicalAddress mac)
    {
        ArgumentNullException.ThrowIfNull(mac);
        return string.Join(':', mac.GetAddressBytes().Select(b => b.ToString("x2", CultureInfo.InvariantCulture)));
    }

    private async Task PublishAsync(Vtep vtep, CancellationToken cancellationToken)
    {
        var key = ResourceKey.ClusterScoped(ResourceKinds.RoutingNode, nodeName);
        for (var attempt = 0; ; attempt++)
        {
            var stored = await records.GetAsync(key, cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"RoutingNode {nodeName} is not in the datastore: its VTEP cannot be published");
            var document = JsonNode.Parse(stored.Json)!.AsObject();
            if (document["spec"] is not JsonObject spec)
            {
                spec = new JsonObject();
                document["spec"] = spec;
            }

            spec[AddressField] = vtep.Address.ToString();
            spec[MacField] = Format(vtep.Mac);
            try
            {
                await records.UpdateAsync(key, document.ToJsonString(), stored.Revision, cancellationToken).ConfigureAwait(false);
                published = vtep;
                var mac = Format(vtep.Mac);
                Log.Published(logger, nodeName, vtep.Address, mac);
                return;
            }
            catch (ResourceStoreException e) when (e.Error == ResourceStoreError.Conflict && attempt < 5)
            {
            }
        }
    }

    private static PhysicalAddress RandomMac()
    {
        var bytes = new byte[6];
        Random.Shared.NextBytes(bytes);
        bytes[0] = (byte)((bytes[0] & 0xfe) | 0x02); // unicast, locally administered
        return new PhysicalAddress(bytes);
    }

    private static bool Selects(ResourceSet resources, string selector, string node)
    {
        var labels = resources.FindNode(node)?.Labels ?? Labels.Empty;
        return NodeSelector.TryParse(selector, out var parsed, out _) && parsed.Matches(labels);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 420, Level = LogLevel.Information, Message = "Tunnels: VTEP address {Address} allocated from IPPool {Pool}")]
        public static partial void Allocated(ILogger logger, IPAddress address, string pool);

        [LoggerMessage(EventId = 421, Level = LogLevel.Information, Message = "Tunnels: published node {Node}'s VTEP {Address} MAC {Mac} on its RoutingNode")]
        public static partial void Published(ILogger logger, string node, IPAddress address, string mac);
    }
}
