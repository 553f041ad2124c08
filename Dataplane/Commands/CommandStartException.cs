namespace Routing.Dataplane.Commands;

/// <summary>A command could not be started (not installed, not executable).</summary>
public sealed class CommandStartException : Exception
{
    public CommandStartException()
    {
    }

    public CommandStartException(string message)
        : base(message)
    {
    }

    public CommandStartException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
