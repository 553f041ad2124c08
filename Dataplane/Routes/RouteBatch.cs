using Routing.Dataplane.Netlink;

namespace Routing.Dataplane.Routes;

/// <summary>Route adds, replaces and deletes to send as one batch (<see cref="NetlinkConnection.Send"/>); errors name the route.</summary>
public sealed class RouteBatch : NetlinkBatch
{
    private readonly List<(RouteChangeKind Kind, Route Route)> requests = [];

    public override int Count => requests.Count;

    public Route this[int index] => requests[index].Route;

    public RouteChangeKind KindOf(int index) => requests[index].Kind;

    /// <summary>Adds a route that must not exist yet (EEXIST otherwise).</summary>
    public RouteBatch Add(Route route) => Append(RouteChangeKind.Add, route);

    /// <summary>Adds a route or replaces the one with the same table, destination and metric.</summary>
    public RouteBatch Replace(Route route) => Append(RouteChangeKind.Replace, route);

    public RouteBatch Delete(Route route) => Append(RouteChangeKind.Delete, route);

    public void Clear() => requests.Clear();

    protected internal override void Write(NetlinkMessageBuilder builder, int index, uint sequence)
    {
        var (kind, route) = requests[index];
        var (type, flags) = MessageOf(kind);
        RouteMessage.Write(builder, type, flags, sequence, route);
    }

    protected internal override string Describe(int index) => Describe(requests[index].Kind, requests[index].Route);

    internal static string Describe(RouteChangeKind kind, Route route) => kind switch
    {
        RouteChangeKind.Add => $"add route {route}",
        RouteChangeKind.Replace => $"replace route {route}",
        _ => $"delete route {route}",
    };

    internal static (NetlinkMessageType Type, NetlinkMessageFlags Flags) MessageOf(RouteChangeKind kind) => kind switch
    {
        RouteChangeKind.Add => (NetlinkMessageType.NewRoute, NetlinkMessageFlags.Create | NetlinkMessageFlags.Exclusive),
        RouteChangeKind.Replace => (NetlinkMessageType.NewRoute, NetlinkMessageFlags.Create | NetlinkMessageFlags.Replace),
        _ => (NetlinkMessageType.DeleteRoute, NetlinkMessageFlags.None),
    };

    private RouteBatch Append(RouteChangeKind kind, Route route)
    {
        ArgumentNullException.ThrowIfNull(route);
        requests.Add((kind, route));
        return this;
    }
}
