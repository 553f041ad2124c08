namespace Routing.Dataplane.Netlink;

/// <summary>The kernel sent something this parser cannot read (a length that does not fit, a short attribute).</summary>
public sealed class NetlinkProtocolException : Exception
{
    public NetlinkProtocolException()
    {
    }

    public NetlinkProtocolException(string message)
        : base(message)
    {
    }

    public NetlinkProtocolException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
