namespace Routing.Dataplane.Native;

/// <summary>Constants from the Linux UAPI headers, under their C names.</summary>
internal static partial class LibC
{
    // <sys/socket.h>, <linux/netlink.h>
    public const int AF_UNSPEC = 0;
    public const int AF_INET = 2;
    public const int AF_BRIDGE = 7;
    public const int AF_INET6 = 10;
    public const int AF_NETLINK = 16;
    public const int SOCK_RAW = 3;
    public const int SOCK_CLOEXEC = 0x80000;
    public const int NETLINK_ROUTE = 0;
    public const int NETLINK_NETFILTER = 12;

    public const int SOL_SOCKET = 1;
    public const int SO_SNDBUF = 7;
    public const int SO_RCVBUF = 8;
    public const int SO_RCVTIMEO = 20;
    public const int SO_SNDBUFFORCE = 32;
    public const int SO_RCVBUFFORCE = 33;

    public const int SOL_NETLINK = 270;
    public const int NETLINK_ADD_MEMBERSHIP = 1;
    public const int NETLINK_DROP_MEMBERSHIP = 2;
    public const int NETLINK_CAP_ACK = 10;
    public const int NETLINK_EXT_ACK = 11;
    public const int NETLINK_GET_STRICT_CHK = 12;

    public const int MSG_TRUNC = 0x20;
    public const int MSG_DONTWAIT = 0x40;

    // <fcntl.h>
    public const int O_RDONLY = 0;
    public const int O_CREAT = 0x40;
    public const int O_EXCL = 0x80;
    public const int O_CLOEXEC = 0x80000;

    // <sched.h>
    public const int CLONE_NEWNET = 0x40000000;

    // <sys/mount.h>
    public const ulong MS_BIND = 0x1000;
    public const ulong MS_REC = 0x4000;
    public const ulong MS_SHARED = 1 << 20;
    public const int MNT_DETACH = 2;
}
