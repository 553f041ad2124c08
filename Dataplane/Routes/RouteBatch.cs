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
    public RouteBatch Add(Route route) => Append(RouteChangeKind.Add, route);

    /// <summary>Adds a route or replaces the one with the same table, destination and metric.</summary>
    public RouteBatch Replace(Route route) => Append(RouteChangeKind.Replace, route);

    public RouteBatch Delete(Route route) => Append(RouteChangeKind.Delete, route);

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

        requests.Add(new Request(null, RouteChangeKind.Delete, keyDeletes.Count));
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
        RouteMessage.Write(builder, type, flags, sequence, request.Route);
    }

    protected internal override string Describe(int index)
    {
        var request = requests[index];
        if (request.Route is null)
        {
            var (key, protocol) = keyDeletes[request.KeyIndex];
            return $"delete route {key} proto {protocol}";
        }

        return Describe(request.Kind, request.Route);
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

    private RouteBatch Append(RouteChangeKind kind, Route route)
    {
        ArgumentNullException.ThrowIfNull(route);
        requests.Add(new Request(route, kind, -1));
        return this;
    }

    private readonly record struct Request(Route? Route, RouteChangeKind Kind, int KeyIndex);
}
