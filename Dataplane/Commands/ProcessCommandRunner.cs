using System.ComponentModel;
using System.Diagnostics;

namespace Routing.Dataplane.Commands;

/// <summary>
/// Runs commands as child processes, in the agent's own network namespace or, when
/// <see cref="NetworkNamespace"/> is set, inside that named namespace (<c>ip netns exec</c>):
/// tests and benchmarks point the tables at a namespace of their own this way.
/// </summary>
public sealed class ProcessCommandRunner(string? networkNamespace = null) : ICommandRunner
{
    /// <summary>The <c>ip netns</c> name commands run in, or null for the caller's namespace.</summary>
    public string? NetworkNamespace { get; } = networkNamespace;

    // iptables, ipset and ip live in /usr/sbin, which a service's or a container's PATH may lack.
    private static readonly string[] SystemDirectories = ["/usr/sbin", "/sbin", "/usr/bin", "/bin"];

    public Task<CommandOutput> RunAsync(string file, IReadOnlyList<string> arguments, string? standardInput = null, CancellationToken cancellationToken = default) =>
        RunAsync(file, arguments, standardInput, null, cancellationToken);

    /// <summary>Runs a command with <paramref name="environment"/> added to what it inherits (a CNI plugin's CNI_* variables, say).</summary>
    public async Task<CommandOutput> RunAsync(
        string file, IReadOnlyList<string> arguments, string? standardInput, IReadOnlyDictionary<string, string>? environment, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(arguments);
        var info = NetworkNamespace is { } ns
            ? new ProcessStartInfo(Resolve("ip"), ["netns", "exec", ns, Resolve(file), .. arguments])
            : new ProcessStartInfo(Resolve(file), arguments);
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        info.RedirectStandardInput = true;
        info.UseShellExecute = false;
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }

        using var process = new Process { StartInfo = info };
        try
        {
            process.Start();
        }
        catch (Win32Exception e)
        {
            throw new CommandStartException($"cannot start {file}: {e.Message}", e);
        }

        try
        {
            // Output is drained while input is written: a large restore script and a chatty
            // command would otherwise block each other on full pipes.
            var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
            try
            {
                if (standardInput is not null)
                {
                    await process.StandardInput.WriteAsync(standardInput.AsMemory(), cancellationToken).ConfigureAwait(false);
                }

                process.StandardInput.Close();
            }
            catch (IOException)
            {
                // The command exited before reading everything (e.g. a parse error): its exit
                // code and stderr say why.
            }

            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
            return new CommandOutput(process.ExitCode, await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false));
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
    }

    /// <summary>A bare command name found on PATH, else in the system directories; anything else as given.</summary>
    private static string Resolve(string file)
    {
        if (file.Contains('/', StringComparison.Ordinal))
        {
            return file;
        }

        var path = Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
        foreach (var directory in path.Split(':', StringSplitOptions.RemoveEmptyEntries).Concat(SystemDirectories))
        {
            var candidate = Path.Combine(directory, file);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return file;
    }
}
