namespace Routing.TestKit.Daemons;

/// <summary>A daemon did not start or never became ready; the message holds its log.</summary>
public sealed class DaemonStartException : Exception
{
    public DaemonStartException()
    {
    }

    public DaemonStartException(string message)
        : base(message)
    {
    }

    public DaemonStartException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
