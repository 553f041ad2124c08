namespace Routing.TestKit.Namespaces;

/// <summary>A condition a test waited for did not come; the message holds the daemons' logs.</summary>
public sealed class TopologyTimeoutException : Exception
{
    public TopologyTimeoutException()
    {
    }

    public TopologyTimeoutException(string message)
        : base(message)
    {
    }

    public TopologyTimeoutException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
