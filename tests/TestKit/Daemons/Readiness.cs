using System.Diagnostics;
using Routing.TestKit.Processes;

namespace Routing.TestKit.Daemons;

/// <summary>Waits for a daemon to become ready, failing fast with its log if it exits or never does.</summary>
internal static class Readiness
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    public static async Task WaitAsync(DaemonProcess process, string what, Func<CancellationToken, Task<bool>> ready, TimeSpan? timeout = null)
    {
        var limit = timeout ?? DefaultTimeout;
        var clock = Stopwatch.StartNew();
        Exception? lastError = null;
        while (true)
        {
            if (process.HasExited)
            {
                throw new DaemonStartException($"{process.Name} exited with code {process.ExitCode} before {what} was ready.\n{process.ReadLog()}");
            }

            using var attempt = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try
            {
                if (await ready(attempt.Token).ConfigureAwait(false))
                {
                    return;
                }
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                lastError = e;
            }

            if (clock.Elapsed > limit)
            {
                throw new DaemonStartException(
                    $"{what} was not ready within {limit.TotalSeconds:0} s (last error: {Describe(lastError)}).\n{process.ReadLog()}");
            }

            await Task.Delay(50).ConfigureAwait(false);
        }
    }

    private static string Describe(Exception? error)
    {
        var parts = new List<string>();
        for (var e = error; e is not null; e = e.InnerException)
        {
            parts.Add($"{e.GetType().Name}: {e.Message}");
        }

        return parts.Count == 0 ? "none" : string.Join(" <- ", parts);
    }
}
