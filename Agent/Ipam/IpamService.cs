using System.Globalization;
using System.Net;
using Routing.Agent.Api;
using Routing.Agent.Api.V1;
using Routing.Agent.Resources;
using Routing.Ipam.Addresses;
using Routing.Ipam.Allocation;
using Routing.Ipam.Blocks;
using Routing.Ipam.Pools;
using Routing.Ipam.Store;
using Routing.Ipam.Summary;

namespace Routing.Agent.Ipam;

/// <summary>
/// The agent's IPAM for the CNI plugin: assignment and release for this node's pods, over the
/// datastore's IPAM records, with IPAM's errors turned into the API's status codes.
/// </summary>
public sealed class IpamService
{
    private readonly IIpamStore store;
    private readonly IpamAllocator allocator;
    private readonly DelegateNodeSelectorEvaluator selectors;

    public IpamService(string node, IIpamStore store, Func<ResourceSet> resources, IpamOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(resources);
        Node = node;
        this.store = store;
        selectors = new DelegateNodeSelectorEvaluator((selector, name) => Selects(resources(), selector, name));
        allocator = new IpamAllocator(store, options, selectors);
    }

    public string Node { get; }

    public async Task<IpamAssignResponse> AssignAsync(IpamAssignRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        Require(request.HandleId, "handle_id");
        var attributes = Attributes(request);
        var response = new IpamAssignResponse();
        await Translate(async () =>
        {
            // A runtime may repeat an ADD: the attachment keeps what it has.
            var held = await allocator.GetByHandleAsync(request.HandleId, cancellationToken).ConfigureAwait(false);
            if (held.Count > 0)
            {
                response.Addresses.AddRange(await DescribeAsync(held.Select(h => (h.Address, h.SequenceNumber)), cancellationToken).ConfigureAwait(false));
                return;
            }

            List<IpamAllocation> assigned = [];
            if (request.Addresses.Count > 0)
            {
                foreach (var text in request.Addresses)
                {
                    var address = IPAddress.TryParse(text.Split('/')[0], out var parsed)
                        ? parsed
                        : throw new ApiException(3, $"addresses: '{text}' is not an IP address");
                    try
                    {
                        assigned.Add(await allocator.AssignAsync(
                            new AssignIPRequest { Address = address, HandleId = request.HandleId, Node = Node, Attributes = attributes }, cancellationToken).ConfigureAwait(false));
                    }
                    catch
                    {
                        // All or nothing: what this request got so far goes back.
                        await allocator.ReleaseByHandleAsync(request.HandleId, cancellationToken).ConfigureAwait(false);
                        throw;
                    }
                }
            }
            else
            {
                var result = await allocator.AutoAssignAsync(new AssignRequest
                {
                    HandleId = request.HandleId,
                    Node = Node,
                    Attributes = attributes,
                    IPv4Count = (int)request.Ipv4Count,
                    IPv6Count = (int)request.Ipv6Count,
                    Pools = request.Pools.Count > 0 ? [.. request.Pools] : null,
                }, cancellationToken).ConfigureAwait(false);
                assigned.AddRange(result.All);
            }

            response.Addresses.AddRange(await DescribeAsync(assigned.Select(a => (a.Address, a.SequenceNumber)), cancellationToken).ConfigureAwait(false));
        }).ConfigureAwait(false);
        return response;
    }

    public async Task<IpamReleaseResponse> ReleaseAsync(IpamReleaseRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        Require(request.HandleId, "handle_id");
        var response = new IpamReleaseResponse();
        await Translate(async () =>
        {
            var released = await allocator.ReleaseByHandleAsync(request.HandleId, cancellationToken).ConfigureAwait(false);
            response.Addresses.AddRange(released.Select(r => r.Address.ToString()));
        }).ConfigureAwait(false);
        return response;
    }

    public async Task<IpamAssignResponse> GetAsync(IpamGetRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        Require(request.HandleId, "handle_id");
        var response = new IpamAssignResponse();
        await Translate(async () =>
        {
            var held = await allocator.GetByHandleAsync(request.HandleId, cancellationToken).ConfigureAwait(false);
            response.Addresses.AddRange(await DescribeAsync(held.Select(h => (h.Address, h.SequenceNumber)), cancellationToken).ConfigureAwait(false));
        }).ConfigureAwait(false);
        return response;
    }

    /// <summary>
    /// The handles holding addresses for this node's pods (the CNI GC's candidates): only this
    /// node's, so that one node's GC never releases another node's pods.
    /// </summary>
    public async Task<IpamListHandlesResponse> ListHandlesAsync(IpamListHandlesRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var response = new IpamListHandlesResponse();
        await Translate(async () =>
        {
            var blocks = await store.Blocks.ListAsync(cancellationToken).ConfigureAwait(false);
            var handles = blocks.SelectMany(b => b.Value.EnumerateAllocations())
                .Where(a => a.HandleId is { } id && id.StartsWith(request.Prefix, StringComparison.Ordinal)
                    && a.Attribute.Secondary.TryGetValue(IpamAttributes.Node, out var node) && node == Node)
                .Select(a => a.HandleId!)
                .Distinct(StringComparer.Ordinal)
                .Order(StringComparer.Ordinal);
            response.HandleIds.AddRange(handles);
        }).ConfigureAwait(false);
        return response;
    }

    public async Task<IpamStatusResponse> StatusAsync(IpamStatusRequest request, CancellationToken cancellationToken)
    {
        var response = new IpamStatusResponse { Node = Node };
        await Translate(async () =>
        {
            var summary = await IpamSummary.BuildAsync(store, cancellationToken).ConfigureAwait(false);
            var pools = (await store.Pools.ListAsync(cancellationToken).ConfigureAwait(false)).Select(p => p.Value)
                .Where(p => !p.Disabled && (p.SelectsAllNodes || selectors.Selects(p.NodeSelector, Node))).ToDictionary(p => p.Name);
            foreach (var usage in summary.Pools.Where(u => pools.ContainsKey(u.Name)))
            {
                var free = usage.Capacity - (UInt128)usage.Allocated;
                var saturated = free > ulong.MaxValue ? ulong.MaxValue : (ulong)free;
                if (usage.Cidr.Contains(':', StringComparison.Ordinal))
                {
                    response.Ipv6Pools++;
                    response.Ipv6Free = Add(response.Ipv6Free, saturated);
                }
                else
                {
                    response.Ipv4Pools++;
                    response.Ipv4Free = Add(response.Ipv4Free, saturated);
                }
            }
        }).ConfigureAwait(false);
        return response;
    }

    private static ulong Add(ulong a, ulong b) => ulong.MaxValue - a < b ? ulong.MaxValue : a + b;

    private async Task<IEnumerable<IpamAddress>> DescribeAsync(IEnumerable<(IPAddress Address, ulong Sequence)> addresses, CancellationToken cancellationToken)
    {
        var pools = (await store.Pools.ListAsync(cancellationToken).ConfigureAwait(false)).Select(p => p.Value).ToList();
        return addresses.Select(a =>
        {
            var pool = pools.FirstOrDefault(p => p.ParseCidr().Contains(a.Address));
            var hostLength = a.Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? 128 : 32;
            return new IpamAddress
            {
                Address = $"{a.Address}/{hostLength}",
                Pool = pool?.Cidr ?? "",
                Block = pool is null ? "" : BlockCidr.BlockOf(a.Address, pool.ResolveBlockSize()).ToString(),
                SequenceNumber = a.Sequence,
                IpipMode = (pool?.IpipMode ?? EncapsulationMode.Never).ToString(),
                VxlanMode = (pool?.VxlanMode ?? EncapsulationMode.Never).ToString(),
            };
        });
    }

    private static Dictionary<string, string> Attributes(IpamAssignRequest request)
    {
        var attributes = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [IpamAttributes.Timestamp] = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture),
        };
        if (request.Namespace.Length > 0)
        {
            attributes[IpamAttributes.Namespace] = request.Namespace;
        }

        if (request.Pod.Length > 0)
        {
            attributes[IpamAttributes.Pod] = request.Pod;
        }

        return attributes;
    }

    private static bool Selects(ResourceSet resources, string selector, string node)
    {
        var labels = resources.FindNode(node)?.Labels ?? Labels.Empty;
        return NodeSelector.TryParse(selector, out var parsed, out _) && parsed.Matches(labels);
    }

    private static void Require(string value, string field)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new ApiException(3, $"{field}: required");
        }
    }

    private static async Task Translate(Func<Task> call)
    {
        try
        {
            await call().ConfigureAwait(false);
        }
        catch (IpamException e)
        {
            throw new ApiException(e.Kind switch
            {
                IpamErrorKind.InvalidRequest or IpamErrorKind.AddressNotInPool => 3,
                IpamErrorKind.PoolExhausted or IpamErrorKind.NoPool => 8,
                IpamErrorKind.AddressInUse or IpamErrorKind.AddressReserved => 6,
                _ => 14,
            }, e.Message);
        }
        catch (IOException e)
        {
            throw new ApiException(14, $"datastore: {e.Message}");
        }
    }
}
