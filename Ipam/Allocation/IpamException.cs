namespace Routing.Ipam.Allocation;

/// <summary>An IPAM request that could not be met; the message says why in the user's terms, <see cref="Kind"/> for code.</summary>
public sealed class IpamException : Exception
{
    public IpamException(IpamErrorKind kind, string message)
        : base(message)
    {
        Kind = kind;
    }

    public IpamException(IpamErrorKind kind, string message, Exception innerException)
        : base(message, innerException)
    {
        Kind = kind;
    }

    public IpamException()
    {
    }

    public IpamException(string message)
        : base(message)
    {
    }

    public IpamException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public IpamErrorKind Kind { get; }
}
