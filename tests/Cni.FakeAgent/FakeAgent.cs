using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using Google.Protobuf;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;
using Routing.Agent.Api.V1;
using Routing.Ipam.Allocation;
using Routing.Ipam.Blocks;
using Routing.Ipam.Pools;
using Routing.Ipam.Store;
using Routing.Ipam.Summary;

namespace Routing.Cni.FakeAgent;

/// <summary>
/// The agent's IPAM calls (routing.v1.RoutingAgent Ipam*) served by Kestrel on a unix socket, over
/// the real <see cref="IpamAllocator"/> and an <see cref="InMemoryIpamStore"/>: what routing-cni
/// talks to in tests until the agent's own implementation is merged.
/// </summary>
public sealed class FakeAgent : IAsyncDisposable
{
    public const string Node = "node-a";

    private readonly WebApplication app;

    private FakeAgent(WebApplication app, string socketPath, InMemoryIpamStore store, IpamAllocator allocator)
    {
        this.app = app;
        SocketPath = socketPath;
        Store = store;
        Allocator = allocator;
    }

    public string SocketPath { get; }

    /// <summary>Fires when the host is told to stop (SIGTERM, SIGINT).</summary>
    public CancellationToken Stopping => app.Lifetime.ApplicationStopping;

    public InMemoryIpamStore Store { get; }

    public IpamAllocator Allocator { get; }

    /// <summary>Calls seen, by method name, for tests that check what the plugin asked.</summary>
    public List<string> Calls { get; } = [];

    /// <summary>Serves on <paramref name="socketPath"/>, or on a fresh socket in a temporary directory.</summary>
    public static async Task<FakeAgent> StartAsync(string ipv4Pool = "10.244.0.0/16", string? ipv6Pool = "fd00:244::/64", int ipv4BlockSize = 26, string? socketPath = null)
    {
        var store = new InMemoryIpamStore();
        await store.Pools.CreateAsync(new IPPool { Name = "default-ipv4", Cidr = ipv4Pool, BlockSize = ipv4BlockSize });
        if (ipv6Pool is not null)
        {
            await store.Pools.CreateAsync(new IPPool { Name = "default-ipv6", Cidr = ipv6Pool });
        }

        var allocator = new IpamAllocator(store);
        var socket = socketPath ?? Path.Combine(Directory.CreateTempSubdirectory("routing-fake-agent-").FullName, "agent.sock");
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.ListenUnixSocket(socket, l => l.Protocols = HttpProtocols.Http2));
        var app = builder.Build();
        var agent = new FakeAgent(app, socket, store, allocator);
        agent.Map("IpamAssign", IpamAssignRequest.Parser, agent.AssignAsync);
        agent.Map("IpamRelease", IpamReleaseRequest.Parser, agent.ReleaseAsync);
        agent.Map("IpamGet", IpamGetRequest.Parser, agent.GetAsync);
        agent.Map("IpamStatus", IpamStatusRequest.Parser, agent.StatusAsync);
        agent.Map("IpamListHandles", IpamListHandlesRequest.Parser, agent.ListHandlesAsync);
        await app.StartAsync();
        return agent;
    }

    /// <summary>Handles that hold at least one address.</summary>
    public async Task<IReadOnlyList<string>> HandlesAsync() =>
        [.. (await Store.Handles.ListAsync()).Where(h => h.Value.Total > 0).Select(h => h.Value.HandleId).Order(StringComparer.Ordinal)];

    private async Task<IpamAssignResponse> AssignAsync(IpamAssignRequest request)
    {
        var attributes = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [IpamAttributes.Node] = Node,
        };
        var allocations = new List<IpamAllocation>();
        if (request.Addresses.Count > 0)
        {
            foreach (var address in request.Addresses)
            {
                allocations.Add(await Allocator.AssignAsync(new AssignIPRequest { Address = IPAddress.Parse(address), HandleId = request.HandleId, Node = Node, Attributes = attributes }));
            }
        }
        else
        {
            var result = await Allocator.AutoAssignAsync(new AssignRequest
            {
                HandleId = request.HandleId,
                Node = Node,
                Attributes = attributes,
                IPv4Count = (int)request.Ipv4Count,
                IPv6Count = (int)request.Ipv6Count,
                Pools = request.Pools.Count > 0 ? [.. request.Pools] : null,
            });
            allocations.AddRange(result.All);
        }

        return ToResponse(allocations.Select(a => (a.Address, a.Pool, a.Block.ToString(), a.SequenceNumber)));
    }

    private async Task<IpamReleaseResponse> ReleaseAsync(IpamReleaseRequest request)
    {
        var released = await Allocator.ReleaseByHandleAsync(request.HandleId);
        var response = new IpamReleaseResponse();
        response.Addresses.AddRange(released.Select(a => a.Address.ToString()));
        return response;
    }

    private async Task<IpamAssignResponse> GetAsync(IpamGetRequest request) =>
        ToResponse((await Allocator.GetByHandleAsync(request.HandleId)).Select(a => (a.Address, string.Empty, string.Empty, 0UL)));

    private async Task<IpamStatusResponse> StatusAsync(IpamStatusRequest request)
    {
        var summary = await IpamSummary.BuildAsync(Store);
        var response = new IpamStatusResponse { Node = Node };
        foreach (var pool in summary.Pools.Where(p => !p.Disabled))
        {
            var free = pool.Capacity - (UInt128)pool.Allocated;
            var saturated = free > ulong.MaxValue ? ulong.MaxValue : (ulong)free;
            if (pool.Cidr.Contains(':', StringComparison.Ordinal))
            {
                response.Ipv6Pools++;
                response.Ipv6Free = Math.Max(response.Ipv6Free, saturated);
            }
            else
            {
                response.Ipv4Pools++;
                response.Ipv4Free += saturated;
            }
        }

        return response;
    }

    private async Task<IpamListHandlesResponse> ListHandlesAsync(IpamListHandlesRequest request)
    {
        var response = new IpamListHandlesResponse();
        response.HandleIds.AddRange((await HandlesAsync()).Where(h => h.StartsWith(request.Prefix, StringComparison.Ordinal)));
        return response;
    }

    private static IpamAssignResponse ToResponse(IEnumerable<(IPAddress Address, string Pool, string Block, ulong Sequence)> allocations)
    {
        var response = new IpamAssignResponse();
        foreach (var (address, pool, block, sequence) in allocations)
        {
            var length = address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128;
            response.Addresses.Add(new IpamAddress { Address = $"{address}/{length}", Pool = pool, Block = block, SequenceNumber = sequence });
        }

        return response;
    }

    private void Map<TRequest, TResponse>(string method, MessageParser<TRequest> parser, Func<TRequest, Task<TResponse>> handler)
        where TRequest : IMessage<TRequest>
        where TResponse : IMessage<TResponse>
    {
        app.MapPost("/routing.v1.RoutingAgent/" + method, async context =>
        {
            lock (Calls)
            {
                Calls.Add(method);
            }

            context.Response.ContentType = "application/grpc";
            try
            {
                using var body = new MemoryStream();
                await context.Request.Body.CopyToAsync(body);
                var bytes = body.ToArray();
                var length = (int)BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(1));
                var result = await handler(parser.ParseFrom(bytes, 5, length));
                var frame = new byte[5 + result.CalculateSize()];
                BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)(frame.Length - 5));
                result.WriteTo(frame.AsSpan(5));
                await context.Response.Body.WriteAsync(frame);
                context.Response.AppendTrailer("grpc-status", "0");
            }
            catch (IpamException e)
            {
                var status = e.Kind switch
                {
                    IpamErrorKind.InvalidRequest => 3,
                    IpamErrorKind.NoPool or IpamErrorKind.PoolExhausted => 8,
                    IpamErrorKind.AddressInUse or IpamErrorKind.AddressReserved => 6,
                    _ => 13,
                };
                context.Response.AppendTrailer("grpc-status", status.ToString(CultureInfo.InvariantCulture));
                context.Response.AppendTrailer("grpc-message", Uri.EscapeDataString(e.Message));
            }
        });
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
        File.Delete(SocketPath);
    }
}
