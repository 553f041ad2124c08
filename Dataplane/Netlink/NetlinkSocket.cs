using System.Runtime.InteropServices;
using Routing.Dataplane.Native;

namespace Routing.Dataplane.Netlink;

/// <summary>
/// A raw AF_NETLINK socket (NETLINK_ROUTE). It belongs to the network namespace of the thread
/// that created it, wherever it is used afterwards (open it inside
/// <see cref="Namespaces.NetworkNamespace.Run{T}"/> to talk to another namespace).
/// Not thread-safe except for <see cref="Dispose"/>.
/// </summary>
public sealed unsafe class NetlinkSocket : IDisposable
{
    private readonly SafeFileDescriptor fd;

    private NetlinkSocket(SafeFileDescriptor fd, uint portId)
    {
        this.fd = fd;
        PortId = portId;
    }

    /// <summary>The port id the kernel assigned at bind (nl_pid).</summary>
    public uint PortId { get; }

    /// <summary>Opens and binds a NETLINK_ROUTE socket, joined to the legacy multicast <paramref name="groups"/> bitmask (RTMGRP_*).</summary>
    public static NetlinkSocket Open(uint groups = 0) => Open(LibC.NETLINK_ROUTE, groups);

    /// <summary>Opens and binds a NETLINK_NETFILTER socket (nfnetlink: ipset, conntrack, …).</summary>
    public static NetlinkSocket OpenNetfilter() => Open(LibC.NETLINK_NETFILTER, 0);

    private static NetlinkSocket Open(int protocol, uint groups)
    {
        var number = LibC.socket(LibC.AF_NETLINK, LibC.SOCK_RAW | LibC.SOCK_CLOEXEC, protocol);
        if (number < 0)
        {
            throw LastError("open a netlink socket");
        }

        var fd = new SafeFileDescriptor(number);
        try
        {
            var address = new sockaddr_nl { nl_family = LibC.AF_NETLINK, nl_groups = groups };
            if (LibC.bind(fd, &address, sizeof(sockaddr_nl)) != 0)
            {
                throw LastError("bind a netlink socket");
            }

            var addressLength = sizeof(sockaddr_nl);
            if (LibC.getsockname(fd, &address, &addressLength) != 0)
            {
                throw LastError("read a netlink socket's port id");
            }

            var socket = new NetlinkSocket(fd, address.nl_pid);

            // Errors echo only the failed request's header (CAP_ACK), with the kernel's reason (EXT_ACK);
            // dumps are filtered by the kernel from the request header (GET_STRICT_CHK).
            socket.TrySetOption(LibC.SOL_NETLINK, LibC.NETLINK_CAP_ACK, 1);
            socket.TrySetOption(LibC.SOL_NETLINK, LibC.NETLINK_EXT_ACK, 1);
            socket.TrySetOption(LibC.SOL_NETLINK, LibC.NETLINK_GET_STRICT_CHK, 1);
            return socket;
        }
        catch
        {
            fd.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Asks for send and receive buffers of <paramref name="bytes"/> each: the FORCE options first
    /// (they pass the sysctl maximum, root only, and may be refused), then the plain ones.
    /// </summary>
    public void SetBufferSizes(int bytes)
    {
        if (!TrySetOption(LibC.SOL_SOCKET, LibC.SO_SNDBUFFORCE, bytes))
        {
            TrySetOption(LibC.SOL_SOCKET, LibC.SO_SNDBUF, bytes);
        }

        if (!TrySetOption(LibC.SOL_SOCKET, LibC.SO_RCVBUFFORCE, bytes))
        {
            TrySetOption(LibC.SOL_SOCKET, LibC.SO_RCVBUF, bytes);
        }
    }

    /// <summary>The receive buffer size the kernel granted (it doubles the request for bookkeeping).</summary>
    public int ReceiveBufferSize => GetOption(LibC.SOL_SOCKET, LibC.SO_RCVBUF);

    public int SendBufferSize => GetOption(LibC.SOL_SOCKET, LibC.SO_SNDBUF);

    /// <summary>Blocking receives return after this long with nothing (so a reader thread can notice it should stop).</summary>
    public void SetReceiveTimeout(TimeSpan timeout)
    {
        var value = new timeval { tv_sec = (long)timeout.TotalSeconds, tv_usec = timeout.Milliseconds * 1000L };
        if (LibC.setsockopt(fd, LibC.SOL_SOCKET, LibC.SO_RCVTIMEO, &value, sizeof(timeval)) != 0)
        {
            throw LastError("set a netlink socket's receive timeout");
        }
    }

    /// <summary>Joins a multicast group by number (RTNLGRP_*), for groups past the legacy 32-bit mask.</summary>
    public void JoinGroup(int group)
    {
        if (!TrySetOption(LibC.SOL_NETLINK, LibC.NETLINK_ADD_MEMBERSHIP, group))
        {
            throw LastError($"join netlink multicast group {group}");
        }
    }

    /// <summary>Leaves a multicast group by number (RTNLGRP_*), however it was joined.</summary>
    public void LeaveGroup(int group)
    {
        if (!TrySetOption(LibC.SOL_NETLINK, LibC.NETLINK_DROP_MEMBERSHIP, group))
        {
            throw LastError($"leave netlink multicast group {group}");
        }
    }

    /// <summary>Sends one datagram to the kernel; all the messages in it are processed before this returns.</summary>
    public void Send(ReadOnlySpan<byte> datagram)
    {
        var kernel = new sockaddr_nl { nl_family = LibC.AF_NETLINK };
        fixed (byte* data = datagram)
        {
            var vector = new iovec { iov_base = data, iov_len = (nuint)datagram.Length };
            var message = new msghdr { msg_name = &kernel, msg_namelen = (uint)sizeof(sockaddr_nl), msg_iov = &vector, msg_iovlen = 1 };
            while (true)
            {
                var sent = LibC.sendmsg(fd, &message, 0);
                if (sent >= 0)
                {
                    return;
                }

                var errno = Marshal.GetLastPInvokeError();
                if (errno != Errno.EINTR)
                {
                    throw new NetlinkException("send to the kernel over netlink", errno);
                }
            }
        }
    }

    /// <summary>
    /// Receives one datagram into <paramref name="buffer"/>. Returns its length, or 0 when
    /// nothing came (non-blocking, or the receive timeout passed). Throws
    /// <see cref="NetlinkOverflowException"/> when the kernel dropped messages (ENOBUFS).
    /// </summary>
    public int Receive(Span<byte> buffer, bool wait = true)
    {
        sockaddr_nl from;
        fixed (byte* data = buffer)
        {
            var vector = new iovec { iov_base = data, iov_len = (nuint)buffer.Length };
            var message = new msghdr { msg_name = &from, msg_namelen = (uint)sizeof(sockaddr_nl), msg_iov = &vector, msg_iovlen = 1 };
            while (true)
            {
                var received = LibC.recvmsg(fd, &message, wait ? 0 : LibC.MSG_DONTWAIT);
                if (received >= 0)
                {
                    if ((message.msg_flags & LibC.MSG_TRUNC) != 0)
                    {
                        throw new NetlinkProtocolException($"a netlink datagram did not fit a {buffer.Length}-byte buffer");
                    }

                    return (int)received;
                }

                var errno = Marshal.GetLastPInvokeError();
                switch (errno)
                {
                    case Errno.EINTR:
                        continue;
                    case Errno.EAGAIN:
                        return 0;
                    case Errno.ENOBUFS:
                        throw new NetlinkOverflowException();
                    default:
                        throw new NetlinkException("receive from the kernel over netlink", errno);
                }
            }
        }
    }

    public void Dispose() => fd.Dispose();

    private bool TrySetOption(int level, int name, int value) =>
        LibC.setsockopt(fd, level, name, &value, sizeof(int)) == 0;

    private int GetOption(int level, int name)
    {
        var value = 0;
        var size = sizeof(int);
        return LibC.getsockopt(fd, level, name, &value, &size) == 0 ? value : throw LastError($"read socket option {name}");
    }

    private static NetlinkException LastError(string what) => new(what, Marshal.GetLastPInvokeError());
}
