using System.Net;
using Routing.Dataplane.Native;
using Routing.Dataplane.Netlink;
using Routing.Dataplane.Routes;

namespace Routing.Dataplane.Nexthops;

/// <summary>Nexthop objects in the kernel of one namespace: list, add, delete, each with an ACK.</summary>
public sealed class NexthopOperations : IKernelNexthops
{
    private readonly NetlinkConnection connection;

    internal NexthopOperations(NetlinkConnection connection) => this.connection = connection;

    public (HashSet<uint> Taken, List<Nexthop> Gateways) List()
    {
        var taken = new HashSet<uint>();
        var gateways = connection.Dump(
            NetlinkMessageType.GetNexthop,
            "list nexthops",
            NexthopMessage.WriteDumpRequest,
            (in NetlinkMessage m, out Nexthop n) =>
            {
                var read = NexthopMessage.TryRead(m.Payload, out n, out var id);
                taken.Add(id);
                return read;
            });
        taken.Remove(0);
        return (taken, gateways);
    }

    public void Add(Nexthop nexthop)
    {
        ArgumentNullException.ThrowIfNull(nexthop);
        connection.Execute(
            NetlinkMessageType.NewNexthop,
            NetlinkMessageFlags.Create | NetlinkMessageFlags.Exclusive,
            $"add nexthop {nexthop}",
            b => NexthopMessage.Write(b, nexthop));
    }

    public bool Delete(uint id)
    {
        try
        {
            connection.Execute(NetlinkMessageType.DeleteNexthop, NetlinkMessageFlags.None, $"delete nexthop id {id}", b => NexthopMessage.WriteDelete(b, id));
            return true;
        }
        catch (NetlinkException e) when (e.Errno == Errno.ENOENT)
        {
            return false;
        }
    }

    public int DeviceTowards(IPAddress gateway)
    {
        ArgumentNullException.ThrowIfNull(gateway);
        try
        {
            return connection.Execute(
                NetlinkMessageType.GetRoute,
                NetlinkMessageFlags.None,
                $"get route to {gateway}",
                b => RouteMessage.WriteLookup(b, gateway),
                (in NetlinkMessage m, out int device) =>
                {
                    device = RouteMessage.TryRead(m, out var route) ? route.InterfaceIndex : 0;
                    return device != 0;
                },
                out _);
        }
        catch (NetlinkException e) when (e.Errno is Errno.ENETUNREACH or Errno.EHOSTUNREACH or Errno.ENODEV)
        {
            return 0;
        }
    }
}
