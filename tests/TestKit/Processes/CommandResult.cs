namespace Routing.TestKit.Processes;

/// <summary>What a finished command printed and how it exited.</summary>
public sealed record CommandResult(string Command, int ExitCode, string StandardOutput, string StandardError)
{
    public bool Succeeded => ExitCode == 0;

    /// <summary>Returns this result, or throws with the command's own error output when it failed.</summary>
    public CommandResult EnsureSuccess()
    {
        if (!Succeeded)
        {
            throw new CommandFailedException(this);
        }

        return this;
    }

    public override string ToString() =>
        $"`{Command}` exited {ExitCode}\nstdout:\n{StandardOutput}\nstderr:\n{StandardError}";
}
