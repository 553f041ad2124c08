using Microsoft.Extensions.Logging.Abstractions;
using Routing.Agent.Api;
using Routing.Agent.Api.Grpc;
using Routing.Agent.Api.V1;
using Routing.Agent.Datastore.Memory;
using Routing.Agent.Datastore.Store;
using Routing.Agent.Ipam;
using Routing.Agent.Peering;
using Routing.Agent.Resources;

namespace Routing.Agent.Tests.Ipam;

/// <summary>The IPAM calls of the agent's API as the CNI plugin makes them, over the unix socket.</summary>
public sealed class IpamApiTests : IAsyncLifetime
{
    private const string Service = "/routing.v1.RoutingAgent/";
    private readonly string socket = Path.Combine(Path.GetTempPath(), $"routing-ipam-api-{Guid.NewGuid():N}.sock");
    private readonly MemoryResourceStore store = new();
    private BgpService? bgp;
    private ApiServer? server;
    private GrpcConnection? client;

    public async Task InitializeAsync()
    {
        await store.CreateAsync(ResourceKey.ClusterScoped("IPPool", "small"), """
            {"apiVersion":"routing.dev/v1","kind":"IPPool","metadata":{"name":"small"},"spec":{"cidr":"10.250.0.0/29","blockSize":29}}
            """);
        bgp = new BgpService("node-a", NullLoggerFactory.Instance);
        var ipam = new IpamService("node-a", new ResourceIpamStore(store), () => ResourceSet.Empty);
        server = await ApiServer.StartAsync(socket, new AgentApi(bgp, ipam), NullLoggerFactory.Instance);
        client = new GrpcConnection(socket);
    }

    private Task<IpamAssignResponse> AssignAsync(string handle, uint v4 = 1, params string[] addresses)
    {
        var request = new IpamAssignRequest { HandleId = handle, Ipv4Count = v4, Namespace = "default", Pod = handle };
        request.Addresses.AddRange(addresses);
        return client!.UnaryAsync(Service + "IpamAssign", request, IpamAssignResponse.Parser);
    }

    [Fact]
    public async Task An_attachment_gets_one_address_keeps_it_on_a_repeated_ADD_and_gives_it_back_once()
    {
        var first = Assert.Single((await AssignAsync("k8s-pod-network.c1.eth0")).Addresses);
        Assert.StartsWith("10.250.0.", first.Address, StringComparison.Ordinal);
        Assert.EndsWith("/32", first.Address, StringComparison.Ordinal);
        Assert.Equal(("10.250.0.0/29", "10.250.0.0/29", "Never"), (first.Pool, first.Block, first.VxlanMode));

        var again = Assert.Single((await AssignAsync("k8s-pod-network.c1.eth0")).Addresses);
        Assert.Equal(first.Address, again.Address);
        var other = Assert.Single((await AssignAsync("k8s-pod-network.c2.eth0")).Addresses);
        Assert.NotEqual(first.Address, other.Address);

        var held = await client!.UnaryAsync(Service + "IpamGet", new IpamGetRequest { HandleId = "k8s-pod-network.c1.eth0" }, IpamAssignResponse.Parser);
        Assert.Equal(first.Address, Assert.Single(held.Addresses).Address);

        var handles = await client.UnaryAsync(Service + "IpamListHandles", new IpamListHandlesRequest { Prefix = "k8s-pod-network." }, IpamListHandlesResponse.Parser);
        Assert.Equal(["k8s-pod-network.c1.eth0", "k8s-pod-network.c2.eth0"], handles.HandleIds);
        Assert.Empty((await client.UnaryAsync(Service + "IpamListHandles", new IpamListHandlesRequest { Prefix = "other." }, IpamListHandlesResponse.Parser)).HandleIds);

        var released = await client.UnaryAsync(Service + "IpamRelease", new IpamReleaseRequest { HandleId = "k8s-pod-network.c1.eth0" }, IpamReleaseResponse.Parser);
        Assert.Equal(first.Address.Split('/')[0], Assert.Single(released.Addresses));
        var twice = await client.UnaryAsync(Service + "IpamRelease", new IpamReleaseRequest { HandleId = "k8s-pod-network.c1.eth0" }, IpamReleaseResponse.Parser);
        Assert.Empty(twice.Addresses);
    }

    [Fact]
    public async Task Exact_addresses_status_and_errors_come_back_with_the_APIs_codes()
    {
        var exact = Assert.Single((await AssignAsync("k8s-pod-network.x.eth0", 0, "10.250.0.5")).Addresses);
        Assert.Equal("10.250.0.5/32", exact.Address);
        var taken = await Assert.ThrowsAsync<GrpcStatusException>(() => AssignAsync("k8s-pod-network.y.eth0", 0, "10.250.0.5"));
        Assert.Equal(6, taken.Status);
        var outside = await Assert.ThrowsAsync<GrpcStatusException>(() => AssignAsync("k8s-pod-network.y.eth0", 0, "192.0.2.1"));
        Assert.Equal(3, outside.Status);
        var noHandle = await Assert.ThrowsAsync<GrpcStatusException>(() => AssignAsync(""));
        Assert.Equal((3, "handle_id: required"), (noHandle.Status, noHandle.Detail));

        var status = await client!.UnaryAsync(Service + "IpamStatus", new IpamStatusRequest(), IpamStatusResponse.Parser);
        Assert.Equal(("node-a", 1u, 7ul), (status.Node, status.Ipv4Pools, status.Ipv4Free));

        // A /29 holds 8 addresses: 7 more fit, the next one does not.
        for (var i = 0; i < 7; i++)
        {
            await AssignAsync($"k8s-pod-network.fill{i}.eth0");
        }

        var full = await Assert.ThrowsAsync<GrpcStatusException>(() => AssignAsync("k8s-pod-network.last.eth0"));
        Assert.Equal(8, full.Status);
        Assert.Contains("node-a", full.Detail, StringComparison.Ordinal);
        Assert.Equal(0ul, (await client.UnaryAsync(Service + "IpamStatus", new IpamStatusRequest(), IpamStatusResponse.Parser)).Ipv4Free);
    }

    public async Task DisposeAsync()
    {
        client?.Dispose();
        if (server is not null)
        {
            await server.DisposeAsync();
        }

        if (bgp is not null)
        {
            await bgp.DisposeAsync();
        }

        await store.DisposeAsync();
    }
}
