using Routing.Dataplane.Commands;

namespace Routing.Agent.Lab;

/// <summary>Runs the lab's commands (ip, bird, birdc, routing-cni…), optionally in a namespace.</summary>
internal static class LabShell
{
    public sealed record Output(int ExitCode, string StandardOutput, string StandardError)
    {
        public bool Succeeded => ExitCode == 0;

        public override string ToString() => $"exit {ExitCode}: {StandardError.Trim()} {StandardOutput.Trim()}".Trim();
    }

    public static async Task<Output> RunAsync(
        string file, IEnumerable<string> arguments, string? ns = null, string? standardInput = null, IReadOnlyDictionary<string, string>? environment = null, CancellationToken cancellationToken = default)
    {
        var output = await new ProcessCommandRunner(ns).RunAsync(file, [.. arguments], standardInput, environment, cancellationToken).ConfigureAwait(false);
        return new Output(output.ExitCode, output.StandardOutput, output.StandardError);
    }

    /// <summary>Runs and throws with the command's error when it fails.</summary>
    public static async Task<string> CheckAsync(string file, IEnumerable<string> arguments, string? ns = null, string? standardInput = null, CancellationToken cancellationToken = default)
    {
        var list = arguments.ToArray();
        var output = await RunAsync(file, list, ns, standardInput, null, cancellationToken).ConfigureAwait(false);
        return output.Succeeded
            ? output.StandardOutput
            : throw new LabException($"{(ns is null ? "" : $"[{ns}] ")}{file} {string.Join(' ', list)}: {output}");
    }

    public static Task<string> IpAsync(params string[] arguments) => CheckAsync("ip", arguments);

    /// <summary>
    /// Starts a long-running process in a namespace, in a session of its own (so it outlives this
    /// command and its terminal), output to <paramref name="log"/>; returns its PID.
    /// </summary>
    public static async Task<int> StartDaemonAsync(string ns, string log, IEnumerable<string> command, CancellationToken cancellationToken)
    {
        var quoted = string.Join(' ', command.Select(Quote));
        var output = await CheckAsync("sh", ["-c", $"setsid ip netns exec {Quote(ns)} {quoted} >{Quote(log)} 2>&1 </dev/null & echo $!"], cancellationToken: cancellationToken).ConfigureAwait(false);
        return int.Parse(output.Trim(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static string Quote(string text) => "'" + text.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}

/// <summary>The lab cannot be built or read; the message says what failed.</summary>
public sealed class LabException : Exception
{
    public LabException()
    {
    }

    public LabException(string message)
        : base(message)
    {
    }

    public LabException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
