namespace Routing.TestKit.Processes;

/// <summary>A command the kit ran exited non-zero; the message carries its output.</summary>
public sealed class CommandFailedException : Exception
{
    public CommandFailedException(CommandResult result)
        : base(result?.ToString())
    {
        Result = result;
    }

    public CommandFailedException()
    {
    }

    public CommandFailedException(string message)
        : base(message)
    {
    }

    public CommandFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public CommandResult? Result { get; }
}
