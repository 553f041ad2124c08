using Routing.Dataplane.Addresses;
using Routing.Dataplane.Links;
using Routing.Dataplane.Namespaces;
using Routing.Dataplane.Neighbours;
using Routing.Dataplane.Netlink;
using Routing.Dataplane.Routes;

namespace Routing.Dataplane;

/// <summary>
/// The kernel's routing configuration in one network namespace, over one rtnetlink socket:
/// <see cref="Routes"/>, links, addresses and neighbours. Calls are serialised.
/// </summary>
public sealed class Rtnetlink : IDisposable
{
    private Rtnetlink(NetlinkConnection connection)
    {
        Connection = connection;
        Routes = new RouteOperations(connection);
        Links = new LinkOperations(connection);
        Addresses = new AddressOperations(connection);
        Neighbours = new NeighbourOperations(connection);
    }

    /// <summary>Opens a connection to <paramref name="ns"/>'s kernel tables (null: the calling thread's namespace).</summary>
    public static Rtnetlink Open(NetworkNamespace? ns = null) => new(NetlinkConnection.Open(ns));

    public NetlinkConnection Connection { get; }

    public RouteOperations Routes { get; }

    public LinkOperations Links { get; }

    public AddressOperations Addresses { get; }

    public NeighbourOperations Neighbours { get; }

    public void Dispose() => Connection.Dispose();
}
