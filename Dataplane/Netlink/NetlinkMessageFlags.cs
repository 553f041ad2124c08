namespace Routing.Dataplane.Netlink;

/// <summary>nlmsg_flags (linux/netlink.h). The high byte means different things for GET and NEW requests.</summary>
// The kernel reuses the high bits by request kind, so members share values on purpose.
#pragma warning disable CA1069
[Flags]
public enum NetlinkMessageFlags : ushort
{
    None = 0,
    Request = 0x1,
    Multi = 0x2,
    Ack = 0x4,
    Echo = 0x8,
    DumpInterrupted = 0x10,

    // GET requests
    Root = 0x100,
    Match = 0x200,
    Dump = Root | Match,

    // NEW requests
    Replace = 0x100,
    Exclusive = 0x200,
    Create = 0x400,
    Append = 0x800,

    // On NLMSG_ERROR: only the request's header was echoed; extended ACK attributes follow.
    Capped = 0x100,
    AckTlvs = 0x200,
}
#pragma warning restore CA1069
