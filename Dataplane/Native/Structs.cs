using System.Runtime.InteropServices;

namespace Routing.Dataplane.Native;

#pragma warning disable CS8981, IDE1006 // C names, as in the headers

/// <summary><c>struct sockaddr_nl</c> (linux/netlink.h).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct sockaddr_nl
{
    public ushort nl_family;
    public ushort nl_pad;
    public uint nl_pid;
    public uint nl_groups;
}

/// <summary><c>struct iovec</c> (sys/uio.h).</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct iovec
{
    public void* iov_base;
    public nuint iov_len;
}

/// <summary><c>struct msghdr</c> (sys/socket.h), 64-bit layout: natural alignment pads after msg_namelen.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct msghdr
{
    public void* msg_name;
    public uint msg_namelen;
    public iovec* msg_iov;
    public nuint msg_iovlen;
    public void* msg_control;
    public nuint msg_controllen;
    public int msg_flags;
}

/// <summary><c>struct timeval</c> for SO_RCVTIMEO.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct timeval
{
    public long tv_sec;
    public long tv_usec;
}
