using System.Diagnostics;
using System.Text;
using Routing.TestKit.Native;

namespace Routing.TestKit.Processes;

/// <summary>
/// A long-lived process the kit started (optionally inside a network namespace), tracked by PID
/// for clean-up even if the test process dies, with its output captured as its log.
/// </summary>
public sealed class DaemonProcess : IAsyncDisposable
{
    private const int LogLimit = 256 * 1024;

    private readonly Process process;
    private readonly StringBuilder log = new();
    private readonly Lock logLock = new();
    private readonly string[] extraLogFiles;
    private readonly StreamWriter logFile;
    private int stopped;
    private int? exitCode;

    private DaemonProcess(string name, Process process, string logPath, string[] extraLogFiles)
    {
        Name = name;
        this.process = process;
        LogPath = logPath;
        this.extraLogFiles = extraLogFiles;
        logFile = new StreamWriter(logPath, append: true) { AutoFlush = true };
    }

    public string Name { get; }

    public int Pid => process.Id;

    /// <summary>The file that receives the daemon's stdout and stderr.</summary>
    public string LogPath { get; }

    public bool HasExited => exitCode is not null || process.HasExited;

    public int? ExitCode => exitCode ?? (process.HasExited ? process.ExitCode : null);

    /// <summary>
    /// Starts <paramref name="file"/>; inside <paramref name="netns"/> (a namespace name) when given.
    /// <paramref name="extraLogFiles"/> are files the daemon writes its own log to, shown with its output.
    /// </summary>
    public static DaemonProcess Start(
        string name,
        string file,
        IEnumerable<string> arguments,
        string? netns = null,
        IReadOnlyDictionary<string, string>? environment = null,
        IEnumerable<string>? extraLogFiles = null,
        string? workingDirectory = null)
    {
        var args = arguments.ToList();
        if (netns is not null)
        {
            // `ip netns exec` enters the namespace and execs the daemon: the PID is the daemon's own.
            args.InsertRange(0, ["netns", "exec", netns, file]);
            file = "ip";
        }

        var info = new ProcessStartInfo(file, args)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? TestRun.Directory,
        };
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        var logPath = Path.Combine(TestRun.Directory, $"{name}-{Guid.NewGuid().ToString("N")[..8]}.log");
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        process.Start();
        TestRun.TrackDaemon(process.Id, name);
        var daemon = new DaemonProcess(name, process, logPath, extraLogFiles?.ToArray() ?? []);
        daemon.Append($"# started pid {process.Id}: {string.Join(' ', args.Prepend(file).Select(Command.Quote))}");
        process.OutputDataReceived += (_, e) => daemon.Append(e.Data);
        process.ErrorDataReceived += (_, e) => daemon.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return daemon;
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (logLock)
        {
            if (log.Length < LogLimit)
            {
                log.AppendLine(line);
            }

            try
            {
                logFile.WriteLine(line);
            }
            catch (ObjectDisposedException)
            {
            }
        }
    }

    /// <summary>The daemon's output so far, followed by the log files it writes itself.</summary>
    public string ReadLog()
    {
        var text = new StringBuilder();
        lock (logLock)
        {
            text.Append(log);
        }

        if (ExitCode is { } code)
        {
            text.AppendLine($"# exited with code {code}");
        }

        foreach (var file in extraLogFiles)
        {
            text.AppendLine($"# {file}:");
            try
            {
                var content = File.ReadAllText(file);
                text.AppendLine(content.Length > LogLimit ? content[^LogLimit..] : content);
            }
            catch (IOException e)
            {
                text.AppendLine($"(unreadable: {e.Message})");
            }
        }

        return text.ToString();
    }

    /// <summary>Freezes the daemon (SIGSTOP): it keeps its sockets open but answers nothing.</summary>
    public void Pause() => _ = LibC.kill(process.Id, LibC.SIGSTOP);

    /// <summary>Kills the daemon at once, as a crash would (SIGSTOP then SIGKILL: it handles no signal on the way out).</summary>
    public Task KillAsync()
    {
        Pause();
        return StopAsync(TimeSpan.Zero);
    }

    /// <summary>Sends SIGTERM, waits up to <paramref name="grace"/>, then SIGKILL.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        if (Interlocked.Exchange(ref stopped, 1) == 1)
        {
            return;
        }

        try
        {
            if (!process.HasExited)
            {
                _ = LibC.kill(process.Id, LibC.SIGTERM);
                using var wait = new CancellationTokenSource(grace);
                try
                {
                    await process.WaitForExitAsync(wait.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    _ = LibC.kill(process.Id, LibC.SIGKILL);
                    await process.WaitForExitAsync().ConfigureAwait(false);
                }
            }
        }
        finally
        {
            exitCode = process.HasExited ? process.ExitCode : -1;
            TestRun.UntrackDaemon(process.Id);
            lock (logLock)
            {
                logFile.Dispose();
            }

            process.Dispose();
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
}
