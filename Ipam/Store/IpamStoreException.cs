namespace Routing.Ipam.Store;

/// <summary>A store write refused for <see cref="Error"/>; the allocator retries on these.</summary>
public sealed class IpamStoreException : Exception
{
    public IpamStoreException(IpamStoreError error, string kind, string name)
        : base($"{kind} {name}: {Describe(error)}")
    {
        Error = error;
        Kind = kind;
        RecordName = name;
    }

    public IpamStoreException()
    {
    }

    public IpamStoreException(string message)
        : base(message)
    {
    }

    public IpamStoreException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public IpamStoreError Error { get; }

    /// <summary>The document kind, e.g. <c>IPAMBlock</c>.</summary>
    public string Kind { get; } = "";

    public string RecordName { get; } = "";

    private static string Describe(IpamStoreError error) => error switch
    {
        IpamStoreError.AlreadyExists => "already exists",
        IpamStoreError.Conflict => "changed since it was read (revision conflict)",
        _ => "not found",
    };
}
