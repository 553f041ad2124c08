using Routing.Dataplane.Netlink;

namespace Routing.Dataplane.Routes;

/// <summary>What <see cref="RouteTable"/> needs of the kernel: its routes of one protocol, and batches. Tests put a fake behind it.</summary>
public interface IKernelRoutes
{
    /// <summary>Every route tagged with <paramref name="protocol"/>, in all tables and both families.</summary>
    List<Route> ListByProtocol(byte protocol);

    NetlinkBatchResult Send(RouteBatch batch);
}
