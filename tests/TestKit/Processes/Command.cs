using System.Diagnostics;

namespace Routing.TestKit.Processes;

/// <summary>Runs short commands to completion and captures their output.</summary>
public static class Command
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    /// <summary>Runs <paramref name="file"/> with <paramref name="arguments"/>; never throws for a non-zero exit.</summary>
    public static async Task<CommandResult> RunAsync(
        string file,
        IEnumerable<string> arguments,
        string? standardInput = null,
        TimeSpan? timeout = null,
        CancellationToken cancellationToken = default)
    {
        var args = arguments.ToArray();
        var text = string.Join(' ', args.Prepend(file).Select(Quote));
        var info = new ProcessStartInfo(file, args)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = standardInput is not null,
            UseShellExecute = false,
        };

        using var process = new Process { StartInfo = info };
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return new CommandResult(text, 127, string.Empty, $"cannot start {file}: {e.Message}");
        }

        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        if (standardInput is not null)
        {
            try
            {
                await process.StandardInput.WriteAsync(standardInput).ConfigureAwait(false);
                process.StandardInput.Close();
            }
            catch (IOException)
            {
                // The command exited without reading all of its input (EPIPE): its exit status and
                // output say what happened, as they would in a shell pipeline.
            }
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout ?? DefaultTimeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"`{text}` did not finish within {(timeout ?? DefaultTimeout).TotalSeconds} s");
        }

        return new CommandResult(text, process.ExitCode, await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false));
    }

    public static Task<CommandResult> RunAsync(string file, params string[] arguments) =>
        RunAsync(file, arguments, standardInput: null);

    /// <summary>Runs the command and throws <see cref="CommandFailedException"/> if it exits non-zero.</summary>
    public static async Task<string> OutputOfAsync(string file, params string[] arguments) =>
        (await RunAsync(file, arguments).ConfigureAwait(false)).EnsureSuccess().StandardOutput;

    internal static string Quote(string argument) =>
        argument.Length > 0 && argument.All(c => char.IsAsciiLetterOrDigit(c) || "-_./:=,@+%".Contains(c))
            ? argument
            : "'" + argument.Replace("'", "'\\''") + "'";
}
