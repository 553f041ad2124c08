namespace Routing.Dataplane.Commands;

/// <summary>How a finished command exited and what it printed.</summary>
public sealed record CommandOutput(int ExitCode, string StandardOutput, string StandardError)
{
    public bool Succeeded => ExitCode == 0;
}
