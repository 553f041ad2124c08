namespace Routing.Dataplane.Namespaces;

/// <summary>A namespace operation failed: "create network namespace rtt-1-x: File exists (EEXIST)".</summary>
public sealed class NamespaceException : Exception
{
    public NamespaceException()
    {
        Operation = string.Empty;
    }

    public NamespaceException(string message)
        : base(message)
    {
        Operation = string.Empty;
    }

    public NamespaceException(string message, Exception innerException)
        : base(message, innerException)
    {
        Operation = string.Empty;
    }

    public NamespaceException(string operation, int errno)
        : base($"{operation}: {Native.Errno.Describe(errno)}")
    {
        Operation = operation;
        Errno = errno;
    }

    public string Operation { get; }

    public int Errno { get; }
}
