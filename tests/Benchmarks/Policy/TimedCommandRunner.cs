using System.Diagnostics;
using System.Globalization;
using Routing.Dataplane.Commands;

namespace Routing.Benchmarks.Policy;

/// <summary>Runs commands through another runner and notes how long each took: where an apply's time goes.</summary>
internal sealed class TimedCommandRunner(ICommandRunner inner) : ICommandRunner
{
    private readonly List<(string Command, double Seconds)> runs = [];

    // POLICY_BENCH_DUMP=DIR keeps each command's input there (NNN-command.txt), to compare scripts.
    private readonly string? dump = Environment.GetEnvironmentVariable("POLICY_BENCH_DUMP");
    private int dumped;

    public async Task<CommandOutput> RunAsync(string file, IReadOnlyList<string> arguments, string? standardInput = null, CancellationToken cancellationToken = default)
    {
        if (dump is not null && standardInput is not null)
        {
            await File.WriteAllTextAsync(Path.Combine(dump, $"{Interlocked.Increment(ref dumped):000}-{Path.GetFileName(file)}.txt"), standardInput, cancellationToken).ConfigureAwait(false);
        }

        var started = Stopwatch.GetTimestamp();
        try
        {
            return await inner.RunAsync(file, arguments, standardInput, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            lock (runs)
            {
                runs.Add(($"{file} {string.Join(' ', arguments)}", Stopwatch.GetElapsedTime(started).TotalSeconds));
            }
        }
    }

    /// <summary>The commands run since the last call, one line each, and forgets them.</summary>
    public string Take()
    {
        lock (runs)
        {
            var text = string.Join("; ", runs.Select(r => string.Create(CultureInfo.InvariantCulture, $"{r.Command} {r.Seconds * 1000:0} ms")));
            runs.Clear();
            return text.Length == 0 ? "no process" : text;
        }
    }
}
