using System.Net.Sockets;
using Routing.Dataplane.Netlink;
using Routing.Dataplane.Nexthops;

namespace Routing.Dataplane.Routes;

/// <summary>Routes in the kernel of one namespace: add, replace, delete one at a time (with an ACK), list, or send a batch.</summary>
public sealed class RouteOperations : IKernelRoutes
{
    private readonly NetlinkConnection connection;

    internal RouteOperations(NetlinkConnection connection)
    {
        this.connection = connection;
        Nexthops = new NexthopOperations(connection);
    }

    /// <summary>Nexthop objects over the same connection.</summary>
    public NexthopOperations Nexthops { get; }

    IKernelNexthops? IKernelRoutes.Nexthops => Nexthops;

    /// <summary>Adds a route; throws if one with the same table, destination and metric exists (EEXIST).</summary>
    public void Add(Route route) => Change(RouteChangeKind.Add, route);

    public void Replace(Route route) => Change(RouteChangeKind.Replace, route);

    /// <summary>Deletes the route that matches: a protocol other than 0 must match too, so the agent cannot delete another owner's route by accident.</summary>
    public void Delete(Route route) => Change(RouteChangeKind.Delete, route);

    /// <summary>The routes of a family (null: both), a table (null: all) and a protocol (null: any).</summary>
    public List<Route> List(AddressFamily? family = null, uint? table = null, byte? protocol = null)
    {
        var what = $"list routes{(family is null ? string.Empty : family == AddressFamily.InterNetwork ? " inet" : " inet6")}"
            + $"{(table is null ? string.Empty : $" table {table}")}{(protocol is null ? string.Empty : $" proto {protocol}")}";
        var routes = connection.Dump(
            NetlinkMessageType.GetRoute,
            what,
            b => RouteMessage.WriteDumpRequest(b, family, table, protocol),
            (in NetlinkMessage m, out Route r) => RouteMessage.TryRead(m, out r));

        // The kernel filters when it can (strict checking); filter again for kernels that do not.
        routes.RemoveAll(r => (family is { } f && r.Family != f) || (table is { } t && r.Table != t) || (protocol is { } p && r.Protocol != p));
        return routes;
    }

    List<Route> IKernelRoutes.ListByProtocol(byte protocol) => List(protocol: protocol);

    /// <summary>Dumps the routes of <paramref name="protocol"/> (all tables, both families) into <paramref name="read"/>, in place.</summary>
    public void ReadByProtocol(byte protocol, RouteMessageReader read, Action restart)
    {
        ArgumentNullException.ThrowIfNull(read);
        connection.DumpEach(
            NetlinkMessageType.GetRoute,
            $"list routes proto {protocol}",
            b => RouteMessage.WriteDumpRequest(b, null, null, protocol),
            (in NetlinkMessage m) =>
            {
                // The kernel filters when it can (strict checking); filter again for kernels that do not.
                var body = m.Payload;
                if (body.Length >= RouteMessage.HeaderLength && body[5] == protocol)
                {
                    read(body);
                }
            },
            restart);
    }

    NetlinkBatchResult IKernelRoutes.Send(RouteBatch batch) => Send(batch);

    /// <summary>Sends a batch; the result lists every route the kernel refused and why.</summary>
    public NetlinkBatchResult Send(RouteBatch batch, int messagesPerDatagram = NetlinkConnection.DefaultMessagesPerDatagram) =>
        connection.Send(batch, messagesPerDatagram);

    private void Change(RouteChangeKind kind, Route route)
    {
        ArgumentNullException.ThrowIfNull(route);
        var (type, flags) = RouteBatch.MessageOf(kind);
        connection.Execute(type, flags, RouteBatch.Describe(kind, route), b => RouteMessage.WriteBody(b, route, type == NetlinkMessageType.DeleteRoute));
    }
}
