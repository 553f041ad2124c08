using Routing.Dataplane.Native;
using Routing.Dataplane.Netlink;
using Routing.Dataplane.Routes;

namespace Routing.Dataplane.Tests.Routes;

/// <summary>An in-memory kernel route table with the kernel's rules for add (EEXIST), replace and delete (protocol must match).</summary>
public sealed class FakeKernelRoutes : IKernelRoutes
{
    private readonly Lock gate = new();
    private readonly Dictionary<RouteKey, Route> routes = [];

    public int ListCalls { get; private set; }

    public List<RouteBatch> Batches { get; } = [];

    /// <summary>Requests for these destinations fail with this errno (once each, unless Sticky).</summary>
    public Dictionary<System.Net.IPNetwork, int> Refuse { get; } = [];

    public IReadOnlyList<Route> Routes
    {
        get
        {
            lock (gate)
            {
                return [.. routes.Values];
            }
        }
    }

    public void Put(Route route)
    {
        lock (gate)
        {
            routes[RouteTable.KeyOf(route)] = route;
        }
    }

    public void Drop(Route route)
    {
        lock (gate)
        {
            routes.Remove(RouteTable.KeyOf(route));
        }
    }

    public List<Route> ListByProtocol(byte protocol)
    {
        lock (gate)
        {
            ListCalls++;
            return routes.Values.Where(r => r.Protocol == protocol).ToList();
        }
    }

    public NetlinkBatchResult Send(RouteBatch batch)
    {
        lock (gate)
        {
            Batches.Add(batch);
            var errors = new List<NetlinkRequestError>();
            for (var i = 0; i < batch.Count; i++)
            {
                var route = batch[i];
                var key = RouteTable.KeyOf(route);
                var kind = batch.KindOf(i);
                int errno = 0;
                if (Refuse.Remove(route.Destination, out var refused))
                {
                    errno = refused;
                }
                else if (kind == RouteChangeKind.Add && routes.ContainsKey(key))
                {
                    errno = Errno.EEXIST;
                }
                else if (kind == RouteChangeKind.Delete && (!routes.TryGetValue(key, out var held) || held.Protocol != route.Protocol))
                {
                    errno = Errno.ESRCH;
                }
                else if (kind == RouteChangeKind.Delete)
                {
                    routes.Remove(key);
                }
                else
                {
                    routes[key] = route;
                }

                if (errno != 0)
                {
                    errors.Add(new NetlinkRequestError(i, $"{kind} route {route}", errno, null));
                }
            }

            return new NetlinkBatchResult(batch.Count, errors);
        }
    }
}
