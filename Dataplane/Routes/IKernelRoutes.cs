using Routing.Dataplane.Netlink;
using Routing.Dataplane.Nexthops;

namespace Routing.Dataplane.Routes;

/// <summary>What <see cref="RouteTable"/> needs of the kernel: its routes of one protocol, and batches. Tests put a fake behind it.</summary>
public interface IKernelRoutes
{
    /// <summary>Every route tagged with <paramref name="protocol"/>, in all tables and both families.</summary>
    List<Route> ListByProtocol(byte protocol);

    /// <summary>
    /// The same routes as <see cref="ListByProtocol"/>, each handed to <paramref name="read"/> as an
    /// rtmsg (the family header and attributes) and kept nowhere: a million-route dump is read without
    /// a million objects. <paramref name="restart"/> comes before a dump starts over. By default the
    /// listed routes, encoded.
    /// </summary>
    void ReadByProtocol(byte protocol, RouteMessageReader read, Action restart)
    {
        ArgumentNullException.ThrowIfNull(read);
        var builder = new NetlinkMessageBuilder();
        foreach (var route in ListByProtocol(protocol))
        {
            builder.Clear();
            RouteMessage.WriteBody(builder, route);
            read(builder.Written);
        }
    }

    NetlinkBatchResult Send(RouteBatch batch);

    /// <summary>The kernel's nexthop objects; null where there are none (routes then name their gateways).</summary>
    IKernelNexthops? Nexthops => null;
}

/// <summary>Reads one route message's body (rtmsg and attributes) in place.</summary>
public delegate void RouteMessageReader(ReadOnlySpan<byte> body);
