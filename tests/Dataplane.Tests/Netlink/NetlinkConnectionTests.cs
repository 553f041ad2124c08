using System.Net;
using Routing.Dataplane.Netlink;
using Routing.Dataplane.Routes;
using Routing.Dataplane.Tests.Kit;

namespace Routing.Dataplane.Tests.Netlink;

[Trait("Category", Categories.Netns)]
public class NetlinkConnectionTests
{
    [SkippableFact]
    public async Task Socket_gets_4_MiB_buffers_and_a_port_id()
    {
        await using var ns = await KernelNamespace.CreateAsync("socket");
        var socket = ns.Kernel.Connection.Socket;
        Assert.NotEqual(0u, socket.PortId);

        // The kernel reports twice what was asked (bookkeeping overhead).
        Assert.True(socket.ReceiveBufferSize >= NetlinkConnection.DefaultBufferBytes, $"receive buffer {socket.ReceiveBufferSize}");
        Assert.True(socket.SendBufferSize >= NetlinkConnection.DefaultBufferBytes, $"send buffer {socket.SendBufferSize}");
    }

    [SkippableFact]
    public async Task Refusals_carry_the_kernels_extended_ack_text()
    {
        await using var ns = await KernelNamespace.CreateAsync("extack");
        await ns.AddUplinkAsync("up0", "10.0.0.1/24");
        var e = Assert.Throws<NetlinkException>(() => ns.Kernel.Routes.Add(
            Route.Via(IPNetwork.Parse("10.1.0.0/24"), IPAddress.Parse("10.0.0.9"), interfaceIndex: 999)));
        Assert.False(string.IsNullOrEmpty(e.KernelMessage), e.Message);
        Assert.EndsWith(": " + e.KernelMessage, e.Message, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task Answers_left_from_an_earlier_batch_do_not_confuse_the_next_request()
    {
        await using var ns = await KernelNamespace.CreateAsync("seq");
        await ns.AddUplinkAsync("up0", "10.0.0.1/24");
        var batch = new RouteBatch();
        for (var i = 0; i < 50; i++)
        {
            batch.Delete(Route.Via(IPNetwork.Parse($"10.{i}.0.0/16"), IPAddress.Parse("10.0.0.9")));
        }

        Assert.Equal(50, ns.Kernel.Routes.Send(batch).Errors.Count);
        ns.Kernel.Routes.Add(Route.Via(IPNetwork.Parse("10.1.0.0/24"), IPAddress.Parse("10.0.0.9")));
        Assert.Single(ns.Kernel.Routes.List(table: RouteTables.Main, protocol: RouteProtocols.Boot), r => r.Destination.ToString() == "10.1.0.0/24");
    }

    [SkippableFact]
    public async Task Small_socket_buffers_shrink_the_datagrams_so_no_answer_is_lost()
    {
        await using var ns = await KernelNamespace.CreateAsync("smallbuf");
        await ns.AddUplinkAsync("up0", "10.0.0.1/24");
        using var connection = NetlinkConnection.Open(ns.Namespace, bufferBytes: 64 << 10);
        var batch = new RouteBatch();
        for (var i = 0; i < 5000; i++)
        {
            // Every one refused: the worst case for the receive buffer.
            batch.Add(Route.Via(new IPNetwork(new IPAddress(new byte[] { 20, (byte)(i >> 8), (byte)i, 0 }), 24), IPAddress.Parse("10.9.9.9")));
        }

        var result = connection.Send(batch, messagesPerDatagram: 4096);

        Assert.Equal(5000, result.Errors.Count);
        Assert.Equal(Enumerable.Range(0, 5000), result.Errors.Select(e => e.Index));
    }
}
