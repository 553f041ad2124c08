namespace Routing.Dataplane.Netlink;

/// <summary>
/// The socket's receive buffer overflowed (ENOBUFS): the kernel dropped messages. A monitor must
/// resynchronise by dumping; a batch has lost track of which requests failed.
/// </summary>
public sealed class NetlinkOverflowException : Exception
{
    public NetlinkOverflowException()
        : base("the netlink receive buffer overflowed: the kernel dropped messages (ENOBUFS)")
    {
    }

    public NetlinkOverflowException(string message)
        : base(message)
    {
    }

    public NetlinkOverflowException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
