using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Routing.TestKit.Native;
using Xunit;

namespace Routing.TestKit;

/// <summary>
/// The identity of this test process and everything it owns in the kernel: namespaces named
/// <c>rtt-&lt;pid&gt;-…</c>, daemons recorded under <see cref="Directory"/>. At first use it removes
/// what earlier runs left behind when they were killed, and at process exit what this run still holds.
/// Runs of other live processes are never touched.
/// </summary>
public static partial class TestRun
{
    /// <summary>Every namespace the kit creates starts with this; the lab uses a prefix of its own.</summary>
    public const string NamespacePrefix = "rtt-";

    private static readonly ConcurrentDictionary<string, byte> LiveNamespaces = new();
    private static readonly ConcurrentDictionary<int, DaemonRecord> LiveDaemons = new();
    private static int counter;

    static TestRun()
    {
        Root = Environment.GetEnvironmentVariable("ROUTING_TEST_ROOT") ?? "/tmp/routing-tests";
        OwnerPid = Environment.ProcessId;
        OwnerStartTime = ProcessStartTime(OwnerPid) ?? 0;
        Directory = Path.Combine(Root, $"{OwnerPid}-{OwnerStartTime}");
        RemoveLeftovers();
        System.IO.Directory.CreateDirectory(Path.Combine(Directory, "pids"));
        AppDomain.CurrentDomain.ProcessExit += (_, _) => RemoveEverything();
    }

    /// <summary>Where all runs keep their files; one sub-directory per run.</summary>
    public static string Root { get; }

    /// <summary>This run's private directory (configs, logs, sockets, data dirs).</summary>
    public static string Directory { get; }

    public static int OwnerPid { get; }

    public static long OwnerStartTime { get; }

    /// <summary>True when the kit can create namespaces: root, with iproute2 installed.</summary>
    public static bool CanUseNamespaces =>
        LibC.geteuid() == 0 && (File.Exists("/usr/bin/ip") || File.Exists("/sbin/ip"));

    /// <summary>Skips the calling test (Xunit.SkippableFact) when namespaces cannot be made here.</summary>
    public static void RequireNamespaces() =>
        Skip.IfNot(CanUseNamespaces, "needs root and iproute2 to create network namespaces");

    /// <summary>A fresh kernel name for a namespace labelled <paramref name="label"/>.</summary>
    public static string NewNamespaceName(string label)
    {
        var n = Interlocked.Increment(ref counter);
        var clean = new string(label.Where(c => char.IsAsciiLetterOrDigit(c) || c == '-').ToArray());
        return $"{NamespacePrefix}{OwnerPid}-{n}-{clean}";
    }

    /// <summary>A fresh directory inside this run's directory.</summary>
    public static string NewDirectory(string label)
    {
        var n = Interlocked.Increment(ref counter);
        var path = Path.Combine(Directory, $"{n}-{label}");
        System.IO.Directory.CreateDirectory(path);
        return path;
    }

    internal static void TrackNamespace(string name) => LiveNamespaces[name] = 0;

    internal static void UntrackNamespace(string name) => LiveNamespaces.TryRemove(name, out _);

    internal static void TrackDaemon(int pid, string name)
    {
        var start = ProcessStartTime(pid) ?? 0;
        LiveDaemons[pid] = new DaemonRecord(pid, start, name);
        File.WriteAllText(Path.Combine(Directory, "pids", pid.ToString(CultureInfo.InvariantCulture)), $"{start} {name}\n");
    }

    internal static void UntrackDaemon(int pid)
    {
        LiveDaemons.TryRemove(pid, out _);
        File.Delete(Path.Combine(Directory, "pids", pid.ToString(CultureInfo.InvariantCulture)));
    }

    /// <summary>The kernel's start time of a process (clock ticks since boot), or null if it is gone.</summary>
    public static long? ProcessStartTime(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // The command name is in parentheses and may hold spaces; fields resume after the last ')'.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return long.Parse(fields[19], CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static bool IsAlive(int pid, long startTime) => ProcessStartTime(pid) == startTime;

    /// <summary>Kills the daemons and deletes the namespaces of runs whose process is gone.</summary>
    public static void RemoveLeftovers()
    {
        var liveRuns = new HashSet<int>();
        if (System.IO.Directory.Exists(Root))
        {
            foreach (var runDir in System.IO.Directory.GetDirectories(Root))
            {
                var match = RunDirectoryName().Match(Path.GetFileName(runDir));
                if (!match.Success)
                {
                    continue;
                }

                var pid = int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
                var start = long.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture);
                if (IsAlive(pid, start))
                {
                    liveRuns.Add(pid);
                    continue;
                }

                KillRecordedDaemons(runDir);
                TryDeleteDirectory(runDir);
            }
        }

        foreach (var ns in ListNamespaces())
        {
            var match = NamespaceName().Match(ns);
            if (match.Success && !liveRuns.Contains(int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture)))
            {
                DeleteNamespaceNow(ns);
            }
        }
    }

    private static void KillRecordedDaemons(string runDir)
    {
        var pids = Path.Combine(runDir, "pids");
        if (!System.IO.Directory.Exists(pids))
        {
            return;
        }

        foreach (var file in System.IO.Directory.GetFiles(pids))
        {
            if (!int.TryParse(Path.GetFileName(file), CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            var recorded = File.ReadAllText(file).Split(' ', 2)[0];
            if (long.TryParse(recorded, CultureInfo.InvariantCulture, out var start) && IsAlive(pid, start))
            {
                _ = LibC.kill(pid, LibC.SIGKILL);
            }
        }
    }

    /// <summary>Stops every daemon and deletes every namespace this run still holds.</summary>
    public static void RemoveEverything()
    {
        foreach (var daemon in LiveDaemons.Values)
        {
            if (IsAlive(daemon.Pid, daemon.StartTime))
            {
                _ = LibC.kill(daemon.Pid, LibC.SIGKILL);
            }
        }

        LiveDaemons.Clear();
        foreach (var ns in LiveNamespaces.Keys)
        {
            DeleteNamespaceNow(ns);
        }

        LiveNamespaces.Clear();
        TryDeleteDirectory(Directory);
    }

    /// <summary>Kills whatever runs in the namespace, then deletes it. Synchronous: used at exit.</summary>
    internal static void DeleteNamespaceNow(string name)
    {
        foreach (var line in RunNow("ip", "netns", "pids", name).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (int.TryParse(line.Trim(), CultureInfo.InvariantCulture, out var pid))
            {
                _ = LibC.kill(pid, LibC.SIGKILL);
            }
        }

        RunNow("ip", "netns", "delete", name);
    }

    internal static IReadOnlyList<string> ListNamespaces() =>
        System.IO.Directory.Exists("/run/netns")
            ? System.IO.Directory.GetFiles("/run/netns").Select(Path.GetFileName).OfType<string>().ToArray()
            : [];

    private static string RunNow(string file, params string[] args)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(file, args)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            });
            if (process is null)
            {
                return string.Empty;
            }

            var output = process.StandardOutput.ReadToEnd();
            process.StandardError.ReadToEnd();
            process.WaitForExit();
            return output;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return string.Empty;
        }
    }

    private static void TryDeleteDirectory(string path)
    {
        try
        {
            System.IO.Directory.Delete(path, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    [GeneratedRegex(@"^(\d+)-(\d+)$")]
    private static partial Regex RunDirectoryName();

    [GeneratedRegex(@"^rtt-(\d+)-")]
    private static partial Regex NamespaceName();

    private sealed record DaemonRecord(int Pid, long StartTime, string Name);
}
