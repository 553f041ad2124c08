using Routing.Dataplane.Netlink;

namespace Routing.Dataplane.Routes;

/// <summary>Route adds, replaces and deletes to send as one batch (<see cref="NetlinkConnection.Send"/>); errors name the route.</summary>
public sealed class RouteBatch : NetlinkBatch
{
    private readonly List<Request> requests;

    // Deletes by key, apart: they carry no Route, and most batches have none.
    private readonly List<(PackedRouteKey Key, byte Protocol)> keyDeletes = [];

    public RouteBatch(int capacity = 0) => requests = new List<Request>(capacity);

    public override int Count => requests.Count;

    /// <summary>The route of request <paramref name="index"/> (for a delete by key: the key and protocol, as a route).</summary>
    public Route this[int index]
    {
        get
        {
            var request = requests[index];
            if (request.Route is { } route)
            {
                return route;
            }

            var (key, protocol) = keyDeletes[request.KeyIndex];
            var (table, destination, metric) = key.ToRouteKey();
            return new Route { Destination = destination, Table = table, Metric = metric, Protocol = protocol };
        }
    }

    public RouteChangeKind KindOf(int index) => requests[index].Kind;

    /// <summary>Adds a route that must not exist yet (EEXIST otherwise).</summary>
    /// <remarks>
    /// A <paramref name="nexthopId"/> sends the route through that nexthop object (RTA_NH_ID) in place
    /// of its gateway, device and onlink flag, which the nexthop must hold.
    /// </remarks>
    public RouteBatch Add(Route route, uint nexthopId = 0) => Append(RouteChangeKind.Add, route, nexthopId);

    /// <summary>Adds a route or replaces the one with the same table, destination and metric.</summary>
    public RouteBatch Replace(Route route, uint nexthopId = 0) => Append(RouteChangeKind.Replace, route, nexthopId);

    /// <summary>Deletes the route that matches; one through a nexthop object matches only when named by its <paramref name="nexthopId"/>.</summary>
    public RouteBatch Delete(Route route, uint nexthopId = 0) => Append(RouteChangeKind.Delete, route, nexthopId);

    /// <summary>The nexthop object request <paramref name="index"/> sends its route through (0: none).</summary>
    public uint NexthopIdOf(int index) => requests[index].NexthopId;

    /// <summary>
    /// Deletes the route under <paramref name="key"/> if <paramref name="protocol"/> installed it,
    /// whatever its next hops (as <c>ip route del PREFIX table T metric M proto P</c>): nothing is
    /// kept per request but the key, and the message is the shortest a delete can be.
    /// </summary>
    public RouteBatch Delete(in PackedRouteKey key, byte protocol)
    {
        if (protocol == 0)
        {
            throw new ArgumentException("a delete by key names the protocol whose route it deletes, never 0 (any)", nameof(protocol));
        }

        requests.Add(new Request(null, RouteChangeKind.Delete, keyDeletes.Count, 0));
        keyDeletes.Add((key, protocol));
        return this;
    }

    public void Clear()
    {
        requests.Clear();
        keyDeletes.Clear();
    }

    protected internal override void Write(NetlinkMessageBuilder builder, int index, uint sequence)
    {
        var request = requests[index];
        if (request.Route is null)
        {
            var (key, protocol) = keyDeletes[request.KeyIndex];
            RouteMessage.WriteDelete(builder, sequence, key, protocol);
            return;
        }

        var (type, flags) = MessageOf(request.Kind);
        RouteMessage.Write(builder, type, flags, sequence, request.Route, request.NexthopId);
    }

    protected internal override string Describe(int index)
    {
        var request = requests[index];
        if (request.Route is null)
        {
            var (key, protocol) = keyDeletes[request.KeyIndex];
            return $"delete route {key} proto {protocol}";
        }

        var text = Describe(request.Kind, request.Route);
        return request.NexthopId == 0 ? text : $"{text} (nhid {request.NexthopId})";
    }

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

    private RouteBatch Append(RouteChangeKind kind, Route route, uint nexthopId)
    {
        ArgumentNullException.ThrowIfNull(route);
        requests.Add(new Request(route, kind, -1, nexthopId));
        return this;
    }

    private readonly record struct Request(Route? Route, RouteChangeKind Kind, int KeyIndex, uint NexthopId);
}
