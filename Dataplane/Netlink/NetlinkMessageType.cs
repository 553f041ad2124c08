namespace Routing.Dataplane.Netlink;

/// <summary>nlmsg_type values: the netlink control messages and the rtnetlink ones (linux/rtnetlink.h).</summary>
public enum NetlinkMessageType : ushort
{
    Noop = 1,
    Error = 2,
    Done = 3,
    Overrun = 4,

    NewLink = 16,
    DeleteLink = 17,
    GetLink = 18,
    SetLink = 19,
    NewAddress = 20,
    DeleteAddress = 21,
    GetAddress = 22,
    NewRoute = 24,
    DeleteRoute = 25,
    GetRoute = 26,
    NewNeighbour = 28,
    DeleteNeighbour = 29,
    GetNeighbour = 30,
    NewNexthop = 104,
    DeleteNexthop = 105,
    GetNexthop = 106,
}
