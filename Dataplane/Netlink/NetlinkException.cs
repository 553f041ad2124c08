namespace Routing.Dataplane.Netlink;

/// <summary>
/// The kernel refused a request. The message names the request and the error, e.g.
/// "add route 10.1.0.0/24 via 10.0.0.9 table 254: Network is unreachable (ENETUNREACH)",
/// followed by the kernel's extended ACK text when it gave one.
/// </summary>
public sealed class NetlinkException : Exception
{
    public NetlinkException()
    {
        Request = string.Empty;
    }

    public NetlinkException(string message)
        : base(message)
    {
        Request = string.Empty;
    }

    public NetlinkException(string message, Exception innerException)
        : base(message, innerException)
    {
        Request = string.Empty;
    }

    public NetlinkException(string request, int errno, string? kernelMessage = null)
        : base(Format(request, errno, kernelMessage))
    {
        Request = request;
        Errno = errno;
        KernelMessage = kernelMessage;
    }

    /// <summary>What was asked, in words: "add route 10.1.0.0/24 via 10.0.0.9 table 254".</summary>
    public string Request { get; }

    /// <summary>The positive errno.</summary>
    public int Errno { get; }

    /// <summary>The kernel's extended ACK message (NLMSGERR_ATTR_MSG), when it sent one.</summary>
    public string? KernelMessage { get; }

    public static string Format(string request, int errno, string? kernelMessage) =>
        kernelMessage is { Length: > 0 }
            ? $"{request}: {Native.Errno.Describe(errno)}: {kernelMessage}"
            : $"{request}: {Native.Errno.Describe(errno)}";
}
