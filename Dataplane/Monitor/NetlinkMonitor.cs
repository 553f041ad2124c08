using System.Threading.Channels;
using Routing.Dataplane.Addresses;
using Routing.Dataplane.Links;
using Routing.Dataplane.Namespaces;
using Routing.Dataplane.Neighbours;
using Routing.Dataplane.Netlink;
using Routing.Dataplane.Nexthops;
using Routing.Dataplane.Routes;

namespace Routing.Dataplane.Monitor;

/// <summary>
/// Listens to rtnetlink multicast groups in one namespace and turns each notification into a
/// typed <see cref="NetlinkChange"/>, in the kernel's order. A dedicated thread blocks on the
/// socket; a lost notification (ENOBUFS) becomes <see cref="MonitorOverflow"/>.
/// </summary>
public sealed class NetlinkMonitor : IDisposable
{
    // How often the reader looks up from a quiet socket to see whether it should stop.
    private static readonly TimeSpan StopCheck = TimeSpan.FromMilliseconds(100);

    private readonly NetlinkSocket socket;
    private readonly Channel<NetlinkChange> changes = Channel.CreateUnbounded<NetlinkChange>(new UnboundedChannelOptions { SingleWriter = true });
    private readonly Thread reader;
    private volatile bool stopping;

    private NetlinkMonitor(NetlinkSocket socket)
    {
        this.socket = socket;
        reader = new Thread(Read) { IsBackground = true, Name = "netlink-monitor" };
    }

    /// <summary>The changes, in order; completes when the monitor is disposed (or fails, with the error).</summary>
    public ChannelReader<NetlinkChange> Changes => changes.Reader;

    /// <summary>Joins <paramref name="groups"/> in <paramref name="ns"/> (null: the caller's namespace) and starts reading.</summary>
    public static NetlinkMonitor Start(NetworkNamespace? ns = null, MonitorGroups groups = MonitorGroups.All, int bufferBytes = NetlinkConnection.DefaultBufferBytes)
    {
        var socket = ns is null ? NetlinkSocket.Open((uint)groups) : ns.Run(() => NetlinkSocket.Open((uint)groups));
        try
        {
            socket.SetBufferSizes(bufferBytes);
            socket.SetReceiveTimeout(StopCheck);
            var monitor = new NetlinkMonitor(socket);
            monitor.reader.Start();
            return monitor;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Stops hearing <paramref name="groups"/> until <see cref="Join"/>: the kernel neither builds nor
    /// queues their notifications meanwhile. Whoever leaves must find out what changed in between.
    /// </summary>
    public void Leave(MonitorGroups groups) => ForEachGroup(groups, socket.LeaveGroup);

    /// <summary>Hears <paramref name="groups"/> again.</summary>
    public void Join(MonitorGroups groups) => ForEachGroup(groups, socket.JoinGroup);

    private static void ForEachGroup(MonitorGroups groups, Action<int> act)
    {
        for (var bit = 0; bit < 32; bit++)
        {
            if (((uint)groups & (1u << bit)) != 0)
            {
                act(bit + 1);
            }
        }
    }

    /// <summary>Turns one notification into a change; null for kinds the monitor does not report.</summary>
    public static NetlinkChange? Parse(in NetlinkMessage message) => message.Type switch
    {
        NetlinkMessageType.NewLink or NetlinkMessageType.DeleteLink =>
            new LinkChange(LinkMessage.Read(message.Payload), message.Type == NetlinkMessageType.DeleteLink),
        NetlinkMessageType.NewAddress or NetlinkMessageType.DeleteAddress =>
            new AddressChange(AddressMessage.Read(message.Payload), message.Type == NetlinkMessageType.DeleteAddress),
        NetlinkMessageType.NewRoute or NetlinkMessageType.DeleteRoute =>
            RouteMessage.TryRead(message.Payload, out var route) ? new RouteChange(route, message.Type == NetlinkMessageType.DeleteRoute) : null,
        NetlinkMessageType.NewNexthop or NetlinkMessageType.DeleteNexthop =>
            ReadNexthop(message.Payload, message.Type == NetlinkMessageType.DeleteNexthop),
        NetlinkMessageType.NewNeighbour or NetlinkMessageType.DeleteNeighbour =>
            NeighbourMessage.TryRead(message.Payload, out var neighbour) ? new NeighbourChange(neighbour, message.Type == NetlinkMessageType.DeleteNeighbour) : null,
        _ => null,
    };

    private static NexthopChange ReadNexthop(ReadOnlySpan<byte> payload, bool removed) =>
        NexthopMessage.TryRead(payload, out var nexthop, out var id) ? new NexthopChange(id, nexthop, removed) : new NexthopChange(id, null, removed);

    public void Dispose()
    {
        stopping = true;
        if (Thread.CurrentThread != reader)
        {
            reader.Join();
        }

        socket.Dispose();
    }

    private void Read()
    {
        var buffer = new byte[64 << 10];
        try
        {
            while (!stopping)
            {
                int length;
                try
                {
                    length = socket.Receive(buffer);
                }
                catch (NetlinkOverflowException)
                {
                    changes.Writer.TryWrite(new MonitorOverflow());
                    continue;
                }

                var messages = new NetlinkMessageReader(buffer.AsSpan(0, length));
                while (messages.TryRead(out var message))
                {
                    if (Parse(message) is { } change)
                    {
                        changes.Writer.TryWrite(change);
                    }
                }
            }

            changes.Writer.TryComplete();
        }
        catch (Exception e) when (e is NetlinkException or NetlinkProtocolException or ObjectDisposedException)
        {
            changes.Writer.TryComplete(e);
        }
    }
}
